// purge(): retention deletes, in one transaction, the planned sessions that
// ended before the content cutoff with their rosters, bans and consents, the
// bans and consents of rooms without a plan by their own times, and (with an
// audit cutoff) attendance that ended before it and a prefix of the audit
// chain, leaving an anchor from which the chain still verifies and tampering
// is still found. Nothing is deleted when it fails; a version 4 database
// gains the anchor on open and keeps its data.
#include "store/audit_chain.hpp"
#include "store/retention.hpp"
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class purge_test : public store_test {
 protected:
  static session_record planned(const std::string& id, time_ms end) {
    session_record r;
    r.id = id;
    r.title = "Group " + id;
    r.kind = "group";
    r.scheduled_start = end - 100;
    r.scheduled_end = end;
    r.lobby_policy = "everyone_waits";
    r.chat_policy = "room";
    r.status = "scheduled";
    r.version = 1;
    r.roster = {{"fac-" + id, "Fac " + id, "facilitator", "", "", ""},
                {"pat-" + id, "Pat " + id, "participant", "", "", "adult"}};
    return r;
  }
  static ban_put ban(const std::string& session, const std::string& subject, time_ms at) {
    return {session, subject, "Name of " + subject, "participant", "fac-1", at};
  }
  static consent_put consent(const std::string& session, const std::string& subject, time_ms at) {
    return {session, subject, "admin_api", "admin", at, std::nullopt};
  }
  std::vector<std::string> subjects_banned(const std::string& session) {
    std::vector<std::string> out;
    for (const auto& b : db().bans(session)) {
      out.push_back(b.subject);
    }
    return out;
  }
  std::vector<std::string> subjects_consented(const std::string& session) {
    std::vector<std::string> out;
    for (const auto& c : db().consents(session)) {
      out.push_back(c.subject);
    }
    return out;
  }
  // Everything a purge could touch, to compare before and after.
  struct snapshot {
    std::vector<std::optional<session_record>> sessions;
    std::vector<std::vector<ban_record>> bans;
    std::vector<std::vector<consent_record>> consents;
    std::vector<std::size_t> attendance;
    std::vector<std::string> audit_hashes;
    bool operator==(const snapshot&) const = default;
  };
  snapshot take(const std::vector<std::string>& rooms) {
    snapshot s;
    for (const auto& room : rooms) {
      s.sessions.push_back(db().session(room));
      s.bans.push_back(db().bans(room));
      s.consents.push_back(db().consents(room));
      s.attendance.push_back(db().attendance(room).size());
    }
    for (const auto& r : all_audit()) {
      s.audit_hashes.push_back(r.hash);
    }
    return s;
  }
};

using strings = std::vector<std::string>;

TEST_P(purge_test, content_goes_when_its_session_ended_before_the_cutoff) {
  const time_ms cutoff = 10'000;
  // Sessions ending just before, at and after the cutoff.
  db().commit({session_put{planned("old", cutoff - 1)}, session_put{planned("edge", cutoff)},
               session_put{planned("new", cutoff + 5000)}});
  db().commit({// A planned session's bans and consents go with it, whatever their own times...
               ban("old", "pat-a", cutoff + 100), consent("old", "obs-a", cutoff + 100),
               // ...and stay with it, however old.
               ban("edge", "pat-b", 1), consent("edge", "obs-b", 1),
               // Rooms without a plan: by their own times.
               ban("room-x", "pat-c", cutoff - 1), ban("room-x", "pat-d", cutoff),
               consent("room-x", "obs-c", cutoff - 1), consent("room-x", "obs-d", cutoff),
               consent("room-x", "obs-e", 5), consent("room-x", "obs-f", 5)});
  // A consent counts from its last change: revoked at the cutoff it stays.
  db().commit({consent_revoke{"room-x", "obs-e", "admin", cutoff - 1},
               consent_revoke{"room-x", "obs-f", "admin", cutoff}});
  // Records are not content: without an audit cutoff they all stay.
  db().commit({attendance_open{"old", "pat-old", "participant", 1},
               attendance_close{"old", "pat-old", 2}, entry(1, "sub-1", "old")});

  const auto report = db().purge({cutoff, std::nullopt});
  EXPECT_EQ(report, (purge_report{.sessions = 1,
                                  .roster_entries = 2,
                                  .bans = 2,
                                  .consents = 3,
                                  .attendance = 0,
                                  .audit = 0}));
  EXPECT_EQ(db().session("old"), std::nullopt);
  EXPECT_EQ(db().session("edge"), planned("edge", cutoff));
  EXPECT_EQ(db().session("new"), planned("new", cutoff + 5000));
  EXPECT_TRUE(db().bans("old").empty());
  EXPECT_TRUE(db().consents("old").empty());
  EXPECT_EQ(subjects_banned("edge"), strings{"pat-b"});
  EXPECT_EQ(subjects_consented("edge"), strings{"obs-b"});
  EXPECT_EQ(subjects_banned("room-x"), strings{"pat-d"});
  EXPECT_EQ(subjects_consented("room-x"), (strings{"obs-d", "obs-f"}));
  EXPECT_EQ(db().attendance("old").size(), 1U);
  EXPECT_EQ(all_audit().size(), 1U);
  // Gone from the listing too, and for good.
  const auto listed = db().sessions(0, cutoff * 2);
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].id, "edge");
  reopen();
  EXPECT_EQ(db().session("old"), std::nullopt);
  EXPECT_EQ(db().session("edge"), planned("edge", cutoff));
  // A second purge with the same cutoff finds nothing.
  EXPECT_EQ(db().purge({cutoff, std::nullopt}), purge_report{});
}

TEST_P(purge_test, records_go_when_they_are_older_than_the_audit_cutoff) {
  const time_ms cutoff = 150;
  append_entries(db(), 5, 100);  // seq 1-5 at 100-104
  append_entries(db(), 5, 200);  // seq 6-10 at 200-204
  const auto before = all_audit();
  db().commit({attendance_open{"room-1", "ended-before", "participant", 10},
               attendance_close{"room-1", "ended-before", cutoff - 1},
               attendance_open{"room-1", "ended-at", "participant", 10},
               attendance_close{"room-1", "ended-at", cutoff},
               attendance_open{"room-1", "still-open", "participant", 10},
               attendance_open{"room-2", "spans", "participant", 100},
               attendance_close{"room-2", "spans", 300}});

  const auto report = db().purge({0, cutoff});
  EXPECT_EQ(report, (purge_report{.attendance = 1, .audit = 5}));
  const auto kept = all_audit();
  ASSERT_EQ(kept.size(), 5U);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(kept[i].seq, before[i + 5].seq);
    EXPECT_EQ(kept[i].hash, before[i + 5].hash);
  }
  const auto attendance = db().attendance("room-1");
  ASSERT_EQ(attendance.size(), 2U);
  EXPECT_EQ(attendance[0].subject, "ended-at");
  EXPECT_EQ(attendance[1].subject, "still-open");
  EXPECT_EQ(db().attendance("room-2").size(), 1U);

  auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 5);
  EXPECT_EQ(v.purged_through, 5);

  // The chain goes on from the last record kept, as before.
  db().commit({entry(300)});
  const auto next = all_audit().back();
  EXPECT_EQ(next.seq, 11);
  EXPECT_EQ(next.prev_hash, before.back().hash);
  reopen();
  v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 6);
  EXPECT_EQ(v.purged_through, 5);
  EXPECT_EQ(db().purge({0, cutoff}), purge_report{});
}

TEST_P(purge_test, only_a_prefix_of_the_chain_is_purged) {
  // Clocks step back: an old record after a newer one stays, with everything
  // after the first record to keep.
  db().commit({entry(100), entry(300), entry(100), entry(300)});
  EXPECT_EQ(db().purge({0, 200}), (purge_report{.audit = 1}));
  const auto kept = all_audit();
  ASSERT_EQ(kept.size(), 3U);
  EXPECT_EQ(kept.front().seq, 2);
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.purged_through, 1);
  // The record at the cutoff itself stays.
  db().commit({entry(200)});
  EXPECT_EQ(db().purge({0, 200}), purge_report{});
  EXPECT_EQ(db().purge({0, 201}), purge_report{});
  EXPECT_EQ(all_audit().size(), 4U);
}

TEST_P(purge_test, purging_every_record_keeps_the_chain_going) {
  append_entries(db(), 5, 100);
  const auto last = all_audit().back();
  EXPECT_EQ(db().purge({0, 1000}), (purge_report{.audit = 5}));
  EXPECT_TRUE(all_audit().empty());
  auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 0);
  EXPECT_EQ(v.purged_through, 5);

  reopen();
  db().commit({entry(2000)});
  auto records = all_audit();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].seq, 6);
  EXPECT_EQ(records[0].prev_hash, last.hash);
  v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 1);

  // A second purge moves the anchor on.
  EXPECT_EQ(db().purge({0, 3000}), (purge_report{.audit = 1}));
  db().commit({entry(4000)});
  records = all_audit();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].seq, 7);
  v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.purged_through, 6);
}

TEST_P(purge_test, tampering_after_an_audit_purge_is_found_at_the_first_broken_record) {
  append_entries(db(), 4, 100);   // seq 1-4, purged
  append_entries(db(), 6, 1000);  // seq 5-10, details "0".."5", kept
  ASSERT_EQ(db().purge({0, 500}), (purge_report{.audit = 4}));
  const auto anchor_hash = all_audit().front().prev_hash;
  auto expect_broken_at = [&](std::int64_t seq, const char* what) {
    SCOPED_TRACE(what);
    const auto v = db().verify_audit();
    ASSERT_TRUE(v.first_broken.has_value());
    EXPECT_EQ(*v.first_broken, seq);
    EXPECT_FALSE(v.reason.empty());
  };

  // A kept record altered: found at that record.
  tamper("UPDATE audit SET detail = 'x' WHERE seq = 7");
  expect_broken_at(7, "altered record");
  tamper("UPDATE audit SET detail = '2' WHERE seq = 7");
  EXPECT_TRUE(db().verify_audit().ok());

  // The first kept record altered, and its hash recomputed: the next one
  // no longer follows it.
  {
    auto first = all_audit().front();
    first.entry.detail = "y";
    tamper("UPDATE audit SET detail = 'y', hash = '" +
           audit_hash(first.seq, first.entry, first.prev_hash) + "' WHERE seq = 5");
    expect_broken_at(6, "rehashed first record");
    tamper("UPDATE audit SET detail = '0', hash = '" + all_audit()[1].prev_hash +
           "' WHERE seq = 5");
    EXPECT_TRUE(db().verify_audit().ok());
  }

  // The anchor altered or removed: the first kept record no longer follows.
  tamper("UPDATE audit_anchor SET hash = '" + genesis_hash + "'");
  expect_broken_at(5, "altered anchor");
  tamper("DELETE FROM audit_anchor");
  expect_broken_at(5, "removed anchor");
  tamper("INSERT INTO audit_anchor (id, seq, hash) VALUES (1, 4, '" + anchor_hash + "')");
  auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 6);

  // The anchor moved on over a record, as if it had been purged: that record
  // no longer follows the anchor.
  tamper("UPDATE audit_anchor SET seq = 5");
  expect_broken_at(5, "anchor over a kept record");
  tamper("UPDATE audit_anchor SET seq = 4");

  // The first kept record removed: found at the next one.
  tamper("DELETE FROM audit WHERE seq = 5");
  expect_broken_at(6, "removed first record");
}

TEST_P(purge_test, a_failed_purge_deletes_nothing) {
  const strings rooms = {"old", "new", "room-x"};
  db().commit({session_put{planned("old", 100)}, session_put{planned("new", 1'000'000)},
               ban("old", "pat-a", 50), ban("room-x", "pat-b", 50), consent("old", "obs-a", 50),
               consent("room-x", "obs-b", 50), attendance_open{"old", "pat-old", "participant", 10},
               attendance_close{"old", "pat-old", 20}});
  append_entries(db(), 5, 10);
  const auto before = take(rooms);
  ASSERT_EQ(before.sessions[0], planned("old", 100));

  // The last delete of a purge fails: everything before it is undone.
  GetParam().fail_delete(dir(), "audit");
  EXPECT_THROW(db().purge({500, 500}), store_error);
  EXPECT_EQ(take(rooms), before);
  auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 5);
  EXPECT_EQ(v.purged_through, 0);  // no anchor was kept
  reopen();
  EXPECT_EQ(take(rooms), before);

  // The first delete fails: nothing either.
  GetParam().fail_delete(dir(), "bans");
  EXPECT_THROW(db().purge({500, std::nullopt}), store_error);
  EXPECT_EQ(take(rooms), before);

  // And the store goes on working.
  db().commit({entry(600)});
  v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 6);
}

TEST_P(purge_test, an_audited_purge_records_itself_after_the_purge) {
  db().commit({session_put{planned("old", 100)}, ban("old", "pat-a", 50),
               consent("old", "obs-a", 50), attendance_open{"old", "pat-old", "participant", 10},
               attendance_close{"old", "pat-old", 20}});
  append_entries(db(), 3, 10);
  // Everything is older than both cutoffs, the purge's own record is not.
  const time_ms now = 1000;
  const purge_request request{500, 500};
  const auto report = purge_and_record(db(), request, now, "operator", "operator");
  EXPECT_EQ(report, (purge_report{.sessions = 1,
                                  .roster_entries = 2,
                                  .bans = 1,
                                  .consents = 1,
                                  .attendance = 1,
                                  .audit = 3}));
  auto records = all_audit();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].seq, 4);
  EXPECT_EQ(records[0].entry,
            (audit_entry{now, "operator", "operator", "retention_purge", "retention", "", "ok",
                         "sessions=1 roster_entries=2 bans=1 consents=1 chat_messages=0 "
                         "worksheets=0 attendance=1 audit=3"}));
  auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.purged_through, 3);

  // Nothing more to purge: recorded when asked to, otherwise not.
  EXPECT_EQ(purge_and_record(db(), request, now + 1, "", "system", false), purge_report{});
  EXPECT_EQ(all_audit().size(), 1U);
  EXPECT_EQ(purge_and_record(db(), request, now + 2, "admin", "admin"), purge_report{});
  records = all_audit();
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[1].entry.detail,
            "sessions=0 roster_entries=0 bans=0 consents=0 chat_messages=0 worksheets=0 "
            "attendance=0 audit=0");

  // A purge that fails is recorded as failed, and nothing was deleted.
  db().commit({session_put{planned("later", 200)}});
  GetParam().fail_delete(dir(), "sessions");
  EXPECT_THROW(purge_and_record(db(), {500, std::nullopt}, now + 3, "admin", "admin"), store_error);
  EXPECT_EQ(db().session("later"), planned("later", 200));
  records = all_audit();
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(records[2].entry.action, "retention_purge");
  EXPECT_EQ(records[2].entry.outcome, "failed");
  v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
}

// A database from before purges existed (made here by taking migrations 5
// and later back out of a fresh one) is migrated on open, keeps its data, and
// purges.
TEST_P(purge_test, a_version_4_database_migrates_and_keeps_its_data) {
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  db().commit({session_put{planned("old", 100)}, session_put{planned("new", 5000)},
               ban("old", "pat-a", 50), consent("old", "obs-a", 50)});
  append_entries(db(), 3, 10);
  const auto audit_before = all_audit();
  tamper(
      "DELETE FROM schema_migrations WHERE version >= 5; DROP TABLE worksheet_templates; "
      "DROP TABLE worksheet_commits; DROP TABLE "
      "worksheets; DROP TABLE kept_chat; DROP TABLE "
      "audit_anchor; "
      "DROP INDEX sessions_by_end;");
  EXPECT_EQ(GetParam().schema_version(dir()), 4);

  crash_and_reopen();
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  EXPECT_EQ(db().session("old"), planned("old", 100));
  EXPECT_EQ(db().session("new"), planned("new", 5000));
  EXPECT_EQ(subjects_banned("old"), strings{"pat-a"});
  EXPECT_EQ(subjects_consented("old"), strings{"obs-a"});
  const auto audit_after = all_audit();
  ASSERT_EQ(audit_after.size(), audit_before.size());
  for (std::size_t i = 0; i < audit_before.size(); ++i) {
    EXPECT_EQ(audit_after[i].entry, audit_before[i].entry);
    EXPECT_EQ(audit_after[i].hash, audit_before[i].hash);
  }

  // Purges work, and the migration is not applied twice.
  EXPECT_EQ(
      db().purge({1000, 11}),
      (purge_report{.sessions = 1, .roster_entries = 2, .bans = 1, .consents = 1, .audit = 1}));
  reopen();
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 2);
  EXPECT_EQ(v.purged_through, 1);
}

INSTANTIATE_TEST_SUITE_P(sqlite, purge_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, purge_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
