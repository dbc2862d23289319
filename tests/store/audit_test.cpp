// The audit trail through the store interface: numbering, the hash chain,
// round trips and queries.
#include <algorithm>
#include <random>

#include "store/audit_chain.hpp"
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class audit_test : public store_test {};

std::vector<std::int64_t> seqs(const std::vector<audit_record>& records) {
  std::vector<std::int64_t> out;
  for (const auto& r : records) {
    out.push_back(r.seq);
  }
  return out;
}

TEST(audit_chain, hash_follows_the_documented_canonical_encoding) {
  // Expected values computed independently (Python hashlib) from the encoding
  // in audit_chain.hpp: 4-byte big-endian length + bytes per field.
  EXPECT_EQ(genesis_hash, std::string(64, '0'));
  audit_entry e{1700000000123, "sub-7", "facilitator", "token_minted", "sub-9", "room-1", "ok", ""};
  const auto first = audit_hash(1, e, genesis_hash);
  EXPECT_EQ(first, "9f8a1a0d0256e70296ae875442bac5953e5bc6230dae24705a3e962a1d192c80");
  audit_entry server{-5, "", "system", "server_started", "", "", "ok", "restart"};
  EXPECT_EQ(audit_hash(2, server, first),
            "899f95b0170e8081ea8a4d446f8e94985f9971f19420702af82386590a6308f5");
}

TEST(audit_chain, field_boundaries_are_part_of_the_hash) {
  audit_entry a = entry(1, "ab");
  a.actor_role = "c";
  audit_entry b = entry(1, "a");
  b.actor_role = "bc";
  EXPECT_NE(audit_hash(1, a, genesis_hash), audit_hash(1, b, genesis_hash));
  EXPECT_NE(audit_hash(1, a, genesis_hash), audit_hash(2, a, genesis_hash));
}

TEST_P(audit_test, empty_store_has_no_records) {
  EXPECT_TRUE(all_audit().empty());
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.records, 0);
}

TEST_P(audit_test, records_are_numbered_from_one_and_chained) {
  append_entries(db(), 3);
  db().commit({entry(5000, "sub-2")});
  append_entries(db(), 2, 6000);
  const auto records = all_audit();
  ASSERT_EQ(records.size(), 6U);
  std::string prev = genesis_hash;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    EXPECT_EQ(r.seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(r.prev_hash, prev) << "seq " << r.seq;
    EXPECT_EQ(r.hash, audit_hash(r.seq, r.entry, r.prev_hash)) << "seq " << r.seq;
    EXPECT_EQ(r.hash.size(), 64U);
    EXPECT_EQ(check_audit_record(r, prev), "");
    prev = r.hash;
  }
  EXPECT_EQ(records[0].prev_hash, std::string(64, '0'));
}

TEST_P(audit_test, entries_round_trip_exactly) {
  std::vector<audit_entry> entries = {
      entry(0, "", ""),
      {-1, "operator", "operator", "token_revoked", "sub-3", "", "denied", "expired"},
      {std::numeric_limits<time_ms>::max(), "sub-\xC3\xA9\xE2\x82\xAC", "participant", "join",
       "room'; DROP TABLE audit; --", "room-2", "failed", "bad_signature"},
      {std::numeric_limits<time_ms>::min(), std::string("nul\0inside", 10), "system", "a", "b", "c",
       "d", std::string(5000, 'x')},
  };
  std::vector<write> batch(entries.begin(), entries.end());
  db().commit(batch);
  const auto records = all_audit();
  ASSERT_EQ(records.size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(records[i].entry, entries[i]) << "entry " << i;
    EXPECT_EQ(records[i].hash, audit_hash(records[i].seq, entries[i], records[i].prev_hash));
  }
  EXPECT_TRUE(db().verify_audit().ok());
}

TEST_P(audit_test, numbering_and_chain_continue_after_reopen) {
  append_entries(db(), 4);
  const auto before = all_audit();
  reopen();
  append_entries(db(), 2, 9000);
  const auto after = all_audit();
  ASSERT_EQ(after.size(), 6U);
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].hash, before[i].hash);
  }
  EXPECT_EQ(after[4].seq, 5);
  EXPECT_EQ(after[4].prev_hash, before[3].hash);
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 6);
}

TEST_P(audit_test, query_by_session_and_actor) {
  db().commit({entry(1, "alice", "room-1"), entry(2, "bob", "room-1"), entry(3, "alice", "room-2"),
               entry(4, "carol", ""), entry(5, "alice", "room-1")});
  audit_query q;
  q.session = "room-1";
  EXPECT_EQ(seqs(db().audit(q)), (std::vector<std::int64_t>{1, 2, 5}));
  q.session = "";  // "no session" is a value of its own, not a wildcard
  EXPECT_EQ(seqs(db().audit(q)), (std::vector<std::int64_t>{4}));
  q.session = "room-9";
  EXPECT_TRUE(db().audit(q).empty());
  q.session.reset();
  q.actor = "alice";
  EXPECT_EQ(seqs(db().audit(q)), (std::vector<std::int64_t>{1, 3, 5}));
  q.session = "room-1";
  EXPECT_EQ(seqs(db().audit(q)), (std::vector<std::int64_t>{1, 5}));
  // Returned records are complete, chain fields included.
  const auto records = db().audit(q);
  const auto all = all_audit();
  EXPECT_EQ(records[1].entry, all[4].entry);
  EXPECT_EQ(records[1].prev_hash, all[3].hash);
  EXPECT_EQ(records[1].hash, all[4].hash);
}

TEST_P(audit_test, since_is_inclusive_and_until_exclusive) {
  db().commit({entry(100), entry(200), entry(200), entry(300), entry(400)});
  audit_query q;
  q.since = 200;
  EXPECT_EQ(seqs(db().audit(q)), (std::vector<std::int64_t>{2, 3, 4, 5}));
  q.until = 300;
  EXPECT_EQ(seqs(db().audit(q)), (std::vector<std::int64_t>{2, 3}));
  q.since.reset();
  q.until = 200;
  EXPECT_EQ(seqs(db().audit(q)), (std::vector<std::int64_t>{1}));
  q.since = 300;
  q.until = 300;
  EXPECT_TRUE(db().audit(q).empty());
}

TEST_P(audit_test, paging_with_after_seq_and_limit) {
  append_entries(db(), 10);
  audit_query q;
  q.limit = 3;
  EXPECT_EQ(seqs(db().audit(q)), (std::vector<std::int64_t>{1, 2, 3}));
  q.after_seq = 3;
  EXPECT_EQ(seqs(db().audit(q)), (std::vector<std::int64_t>{4, 5, 6}));
  q.after_seq = 9;
  EXPECT_EQ(seqs(db().audit(q)), (std::vector<std::int64_t>{10}));
  q.after_seq = 10;
  EXPECT_TRUE(db().audit(q).empty());
  q.after_seq = 0;
  q.limit = 0;
  EXPECT_TRUE(db().audit(q).empty());
  q.limit = 1000;  // the default
  EXPECT_EQ(db().audit(q).size(), 10U);
  EXPECT_EQ(db().audit(audit_query{}).size(), 10U);
}

// Random entries, random queries, paged; compared with a plain filter.
TEST_P(audit_test, random_queries_match_a_reference_filter) {
  std::mt19937_64 rng(test_seed());
  const std::vector<std::string> actors = {"", "alice", "bob", "operator"};
  const std::vector<std::string> sessions = {"", "room-1", "room-2"};
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
  };
  std::vector<audit_entry> entries;
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<write> writes;
    for (int i = 0; i < 25; ++i) {
      entries.push_back(
          entry(std::uniform_int_distribution<time_ms>(0, 50)(rng), pick(actors), pick(sessions)));
      writes.emplace_back(entries.back());
    }
    db().commit(writes);
  }
  for (int round = 0; round < 200; ++round) {
    audit_query q;
    if (rng() % 2 == 0) q.session = pick(sessions);
    if (rng() % 2 == 0) q.actor = pick(actors);
    if (rng() % 2 == 0) q.since = std::uniform_int_distribution<time_ms>(0, 50)(rng);
    if (rng() % 2 == 0) q.until = std::uniform_int_distribution<time_ms>(0, 50)(rng);
    q.limit = std::uniform_int_distribution<std::size_t>(1, 40)(rng);
    std::vector<std::int64_t> expected;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      if ((!q.session || e.session == *q.session) && (!q.actor || e.actor == *q.actor) &&
          (!q.since || e.at >= *q.since) && (!q.until || e.at < *q.until)) {
        expected.push_back(static_cast<std::int64_t>(i + 1));
      }
    }
    std::vector<std::int64_t> got;
    for (;;) {
      const auto page = db().audit(q);
      ASSERT_LE(page.size(), q.limit);
      for (const auto& r : page) {
        got.push_back(r.seq);
        EXPECT_EQ(r.entry, entries[static_cast<std::size_t>(r.seq - 1)]);
      }
      if (page.size() < q.limit) break;
      q.after_seq = page.back().seq;
    }
    ASSERT_EQ(got, expected) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(sqlite, audit_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, audit_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
