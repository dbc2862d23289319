// verify_audit(): a clean chain verifies; each kind of tampering is reported at
// the first record that no longer verifies.
//
// What the chain can and cannot see, given verify_audit's walk (seq must be
// 1, 2, 3, ...; each prev_hash must equal the hash before; each hash must match
// the record's contents):
//   - a field of record k altered             -> k   (hash mismatch)
//   - record k's prev_hash altered            -> k   (does not follow)
//   - record k altered and its hash recomputed -> k+1 (k+1 does not follow)
//   - record k deleted                        -> k+1 (a record is missing)
//   - record k deleted and the records after it re-chained (hashes recomputed,
//     numbers kept)                           -> k+1 (the numbering has a gap)
//   - the same done to the last record, or the tail re-chained and renumbered
//     -> not detectable from the chain alone: that needs the head hash (or the
//     count) kept elsewhere.
#include "store/audit_chain.hpp"
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class verify_test : public store_test {
 protected:
  static constexpr int n = 12;
  void SetUp() override {
    store_test::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    append_entries(db(), 5);
    append_entries(db(), n - 5, 2000);
  }
  // `records`: how many were read, the failing one included.
  void expect_broken_at(std::int64_t seq, std::int64_t records) {
    const auto v = db().verify_audit();
    EXPECT_FALSE(v.ok());
    ASSERT_TRUE(v.first_broken.has_value());
    EXPECT_EQ(*v.first_broken, seq);
    EXPECT_FALSE(v.reason.empty());
    EXPECT_EQ(v.records, records);
  }
  void set_field_and_rehash(std::int64_t seq, const std::string& detail) {
    audit_query q;
    q.after_seq = seq - 1;
    q.limit = 1;
    auto record = db().audit(q).at(0);
    record.entry.detail = detail;
    const auto hash = audit_hash(record.seq, record.entry, record.prev_hash);
    tamper("UPDATE audit SET detail = '" + detail + "', hash = '" + hash +
           "' WHERE seq = " + std::to_string(seq));
  }
  // Recomputes prev_hash and hash of every record from `seq` on, as a forger
  // with the hash function (which is public) would.
  void rechain_from(std::int64_t seq) {
    const auto records = all_audit();
    std::string prev = genesis_hash;
    for (const auto& r : records) {
      if (r.seq >= seq) {
        const auto hash = audit_hash(r.seq, r.entry, prev);
        tamper("UPDATE audit SET prev_hash = '" + prev + "', hash = '" + hash +
               "' WHERE seq = " + std::to_string(r.seq));
        prev = hash;
      } else {
        prev = r.hash;
      }
    }
  }
  std::string reason() { return db().verify_audit().reason; }
};

TEST_P(verify_test, clean_chain_verifies_with_its_count) {
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, n);
  EXPECT_EQ(v.reason, "");
}

TEST_P(verify_test, altered_field_breaks_at_that_record) {
  for (const auto* column : {"detail", "actor", "session", "outcome"}) {
    SCOPED_TRACE(column);
    tamper(std::string("UPDATE audit SET ") + column + " = " + column + " || 'x' WHERE seq = 7");
    expect_broken_at(7, 7);
    tamper(std::string("UPDATE audit SET ") + column + " = substr(" + column + ", 1, length(" +
           column + ") - 1) WHERE seq = 7");
    EXPECT_TRUE(db().verify_audit().ok());  // restored exactly: verifies again
  }
}

TEST_P(verify_test, altered_time_breaks_at_that_record) {
  tamper("UPDATE audit SET at_ms = at_ms + 1 WHERE seq = 3");
  expect_broken_at(3, 3);
}

TEST_P(verify_test, altered_first_and_last_records_are_found) {
  tamper("UPDATE audit SET actor = 'mallory' WHERE seq = 1");
  expect_broken_at(1, 1);
  tamper("UPDATE audit SET actor = 'sub-1' WHERE seq = 1");
  tamper("UPDATE audit SET detail = 'x' WHERE seq = " + std::to_string(n));
  expect_broken_at(n, n);
}

TEST_P(verify_test, altered_prev_hash_breaks_at_that_record) {
  tamper("UPDATE audit SET prev_hash = '" + std::string(64, 'f') + "' WHERE seq = 5");
  expect_broken_at(5, 5);
}

TEST_P(verify_test, recomputed_hash_breaks_at_the_next_record) {
  set_field_and_rehash(6, "forged");
  expect_broken_at(7, 7);
}

TEST_P(verify_test, deleted_record_breaks_at_the_next_record) {
  tamper("DELETE FROM audit WHERE seq = 4");
  expect_broken_at(5, 4);  // read 1, 2, 3 and the one at seq 5
}

TEST_P(verify_test, deleted_first_record_breaks_at_the_second) {
  tamper("DELETE FROM audit WHERE seq = 1");
  expect_broken_at(2, 1);
}

TEST_P(verify_test, deleted_record_with_the_tail_rechained_is_found_by_its_number) {
  tamper("DELETE FROM audit WHERE seq = 4");
  rechain_from(5);
  expect_broken_at(5, 4);
}

TEST_P(verify_test, deleted_first_record_with_the_rest_rechained_is_found_by_its_number) {
  tamper("DELETE FROM audit WHERE seq = 1");
  rechain_from(2);
  expect_broken_at(2, 1);
}

TEST_P(verify_test, reasons_tell_the_kinds_of_tampering_apart) {
  const auto original = all_audit().at(5);
  ASSERT_EQ(original.seq, 6);
  tamper("UPDATE audit SET detail = detail || 'x' WHERE seq = 6");
  const auto altered = reason();
  tamper("UPDATE audit SET detail = '" + original.entry.detail + "' WHERE seq = 6");
  tamper("UPDATE audit SET prev_hash = '" + std::string(64, 'e') + "' WHERE seq = 6");
  const auto unlinked = reason();
  tamper("UPDATE audit SET prev_hash = '" + original.prev_hash + "' WHERE seq = 6");
  ASSERT_TRUE(db().verify_audit().ok());
  tamper("DELETE FROM audit WHERE seq = 6");
  const auto missing = reason();
  EXPECT_NE(altered, unlinked);
  EXPECT_NE(altered, missing);
  EXPECT_NE(unlinked, missing);
  for (const auto* r : {&altered, &unlinked, &missing}) {
    EXPECT_FALSE(r->empty());
  }
}

TEST_P(verify_test, renumbered_records_are_found) {
  // Closing the gap a deletion left, by renumbering what follows.
  tamper("DELETE FROM audit WHERE seq = 4");
  tamper("UPDATE audit SET seq = seq - 1 WHERE seq > 4");
  expect_broken_at(4, 4);
}

TEST_P(verify_test, swapped_records_are_found) {
  tamper("UPDATE audit SET seq = -1 WHERE seq = 8");
  tamper("UPDATE audit SET seq = 8 WHERE seq = 9");
  tamper("UPDATE audit SET seq = 9 WHERE seq = -1");
  expect_broken_at(8, 8);
}

TEST_P(verify_test, appends_after_tampering_do_not_hide_it) {
  tamper("UPDATE audit SET detail = 'x' WHERE seq = 2");
  append_entries(db(), 3, 9000);
  expect_broken_at(2, 2);
}

// The chain alone cannot notice a change to its head: documented, not wanted.
TEST_P(verify_test, rewritten_or_removed_last_record_is_not_visible_to_the_chain) {
  set_field_and_rehash(n, "forged");
  EXPECT_TRUE(db().verify_audit().ok());
  tamper("DELETE FROM audit WHERE seq = " + std::to_string(n));
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.records, n - 1);
}

TEST_P(verify_test, walks_past_its_page_size) {
  // verify_audit reads 10'000 records a page: cross the boundary.
  append_entries(db(), 10'000 - n, 5000);  // exactly one full page
  EXPECT_EQ(db().verify_audit().records, 10'000);
  append_entries(db(), 5, 20'000);
  auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 10'005);
  tamper("DELETE FROM audit WHERE seq = 10000");
  expect_broken_at(10'001, 10'000);
}

INSTANTIATE_TEST_SUITE_P(sqlite, verify_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, verify_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
