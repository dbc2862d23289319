// Bans: ban_put creates or replaces a person's ban from a session and ban_lift
// removes it, both inside commit()'s transaction; bans() reads a session's
// bans back exactly, oldest first; and a database made before bans existed
// (schema version 2) gains them on open and keeps what it had.
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class bans_test : public store_test {};

ban_put ban(std::string session, std::string subject, time_ms at, std::string banned_by = "fac-1") {
  ban_put b;
  b.display_name = "Name of " + subject;
  b.session = std::move(session);
  b.subject = std::move(subject);
  b.role = "participant";
  b.banned_by = std::move(banned_by);
  b.at = at;
  return b;
}

ban_record record_of(const ban_put& b) {
  return {b.subject, b.display_name, b.role, b.banned_by, b.at};
}

TEST_P(bans_test, every_field_round_trips_exactly) {
  EXPECT_TRUE(db().bans("room-1").empty());
  ban_put b;
  b.session = std::string("room-\xC3\xA9\0-7", 9);
  b.subject = std::string("sub\0-\xFF", 6);
  b.display_name = std::string("Zo\xC3\xAB\0Nul \xFF\xFE 'quoted'; --", 24);
  b.role = "family_member";
  b.banned_by = "fac-\xE4\xBD\x90";
  b.at = 1'700'000'000'123;
  auto empty = ban(b.session, "", 0, "");  // every string but the session empty
  empty.display_name.clear();
  empty.role.clear();
  db().commit({b, empty});
  const std::vector<ban_record> expected = {record_of(empty), record_of(b)};
  EXPECT_EQ(db().bans(b.session), expected);
  EXPECT_TRUE(db().bans("room-\xC3\xA9").empty());
  reopen();
  EXPECT_EQ(db().bans(b.session), expected);
}

TEST_P(bans_test, bans_are_listed_oldest_first) {
  // Put in no particular order; bans from the same moment by subject, byte by
  // byte: uppercase before lowercase, a prefix before what extends it.
  db().commit({ban("room-1", "late", 3000), ban("room-1", "b", 2000), ban("room-1", "B", 2000)});
  db().commit({ban("room-1", "early", -5), ban("room-1", std::string("b\0", 2), 2000)});
  const std::vector<ban_record> expected = {
      record_of(ban("room-1", "early", -5)), record_of(ban("room-1", "B", 2000)),
      record_of(ban("room-1", "b", 2000)), record_of(ban("room-1", std::string("b\0", 2), 2000)),
      record_of(ban("room-1", "late", 3000))};
  EXPECT_EQ(db().bans("room-1"), expected);
}

TEST_P(bans_test, a_second_put_replaces_the_ban) {
  db().commit({ban("room-1", "sub-1", 1000), ban("room-1", "sub-2", 2000)});
  auto again = ban("room-1", "sub-1", 3000, "fac-2");
  again.display_name = "Renamed";
  again.role = "family_member";
  db().commit({again});
  // One ban per person, with the new fields, at its new place in the order.
  EXPECT_EQ(db().bans("room-1"),
            (std::vector<ban_record>{record_of(ban("room-1", "sub-2", 2000)), record_of(again)}));
}

TEST_P(bans_test, lifting_removes_only_that_ban) {
  db().commit(
      {ban("room-1", "sub-1", 1000), ban("room-1", "sub-2", 2000), ban("room-1", "sub-3", 3000)});
  db().commit({ban_lift{"room-1", "sub-2"}});
  EXPECT_EQ(db().bans("room-1"),
            (std::vector<ban_record>{record_of(ban("room-1", "sub-1", 1000)),
                                     record_of(ban("room-1", "sub-3", 3000))}));
  db().commit({ban_lift{"room-1", "sub-1"}, ban_lift{"room-1", "sub-3"}});
  EXPECT_TRUE(db().bans("room-1").empty());
  // Banned again after the lift: a new ban.
  db().commit({ban("room-1", "sub-2", 4000)});
  EXPECT_EQ(db().bans("room-1"), std::vector<ban_record>{record_of(ban("room-1", "sub-2", 4000))});
}

TEST_P(bans_test, lifting_an_absent_ban_is_fine) {
  db().commit({ban_lift{"room-1", "sub-1"}});
  db().commit({ban("room-1", "sub-1", 1000)});
  // Near misses lift nothing, and the rest of the batch commits.
  db().commit({ban_lift{"room-1", "sub-2"}, ban_lift{"room-1", "sub-1 "},
               ban_lift{"room-1", std::string("sub-1\0", 6)}, ban_lift{"ROOM-1", "sub-1"},
               ban_lift{"room-2", "sub-1"}, entry(1001)});
  EXPECT_EQ(db().bans("room-1"), std::vector<ban_record>{record_of(ban("room-1", "sub-1", 1000))});
  EXPECT_EQ(all_audit().size(), 1U);
  db().commit({ban_lift{"room-1", "sub-1"}, ban_lift{"room-1", "sub-1"}});  // twice
  EXPECT_TRUE(db().bans("room-1").empty());
}

TEST_P(bans_test, writes_in_one_batch_apply_in_order) {
  db().commit({ban("room-1", "sub-1", 1000), ban_lift{"room-1", "sub-1"},
               ban_lift{"room-1", "sub-2"}, ban("room-1", "sub-2", 2000)});
  EXPECT_EQ(db().bans("room-1"), std::vector<ban_record>{record_of(ban("room-1", "sub-2", 2000))});
}

TEST_P(bans_test, bans_are_per_session) {
  const auto one = ban("room-1", "sub-1", 1000);
  const auto ten = ban("room-10", "sub-1", 2000, "fac-2");
  const auto nul = ban(std::string("room-1\0", 7), "sub-1", 3000);
  db().commit({one, ten, nul, ban("room-2", "sub-2", 4000)});
  EXPECT_EQ(db().bans("room-1"), std::vector<ban_record>{record_of(one)});
  EXPECT_EQ(db().bans("room-10"), std::vector<ban_record>{record_of(ten)});
  EXPECT_EQ(db().bans(std::string("room-1\0", 7)), std::vector<ban_record>{record_of(nul)});
  for (const auto& unknown : {std::string("room-"), std::string("ROOM-1"), std::string("room-%"),
                              std::string("room-_"), std::string()}) {
    EXPECT_TRUE(db().bans(unknown).empty()) << unknown;
  }
  // Lifted in one session, the person stays banned from the others.
  db().commit({ban_lift{"room-1", "sub-1"}});
  EXPECT_TRUE(db().bans("room-1").empty());
  EXPECT_EQ(db().bans("room-10"), std::vector<ban_record>{record_of(ten)});
  EXPECT_EQ(db().bans(std::string("room-1\0", 7)), std::vector<ban_record>{record_of(nul)});
  EXPECT_EQ(db().bans("room-2").size(), 1U);
}

TEST_P(bans_test, bans_survive_reopening) {
  const auto kept = ban("room-1", "sub-1", 1000);
  db().commit({kept, ban("room-1", "sub-2", 2000)});
  reopen();
  EXPECT_EQ(db().bans("room-1"),
            (std::vector<ban_record>{record_of(kept), record_of(ban("room-1", "sub-2", 2000))}));
  db().commit({ban_lift{"room-1", "sub-2"}});
  crash_and_reopen();
  EXPECT_EQ(db().bans("room-1"), std::vector<ban_record>{record_of(kept)});
}

TEST_P(bans_test, bans_in_a_failing_batch_are_not_applied) {
  const auto original = ban("room-1", "sub-1", 1000);
  const auto other = ban("room-1", "sub-2", 2000);
  db().commit({original, other, entry(1)});
  GetParam().fail_audit_by(dir(), "poison");

  EXPECT_THROW(db().commit({ban("room-1", "sub-1", 3000, "fac-2"), ban_lift{"room-1", "sub-2"},
                            ban("room-1", "sub-3", 3000), ban("room-2", "sub-1", 3000),
                            entry(2, "sub-1"), entry(3, "poison")}),
               store_error);
  EXPECT_EQ(db().bans("room-1"), (std::vector<ban_record>{record_of(original), record_of(other)}));
  EXPECT_TRUE(db().bans("room-2").empty());
  EXPECT_EQ(all_audit().size(), 1U);

  // The failure was the audit entry's: the same bans without it commit.
  db().commit({ban("room-1", "sub-3", 3000), ban_lift{"room-1", "sub-2"}, entry(4, "sub-1")});
  EXPECT_EQ(
      db().bans("room-1"),
      (std::vector<ban_record>{record_of(original), record_of(ban("room-1", "sub-3", 3000))}));
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 2);
}

// A database from before bans existed (made here by taking migrations 3 to
// the last back out of a fresh one) is migrated on open and keeps its sessions and
// audit trail.
TEST_P(bans_test, a_version_2_database_migrates_and_keeps_its_data) {
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  session_record planned;
  planned.id = "room-1";
  planned.title = "Tuesday group";
  planned.version = 1;
  planned.roster = {{"sub-1", "Sam", "participant", "", "", "adult"}};
  db().commit({session_put{planned}, entry(1000)});
  const auto audit_before = all_audit();
  tamper(
      "DELETE FROM schema_migrations WHERE version >= 3; DROP TABLE worksheet_templates; "
      "DROP TABLE worksheet_commits; DROP TABLE "
      "worksheets; DROP TABLE kept_chat; DROP TABLE "
      "audit_anchor; "
      "DROP INDEX sessions_by_end; DROP TABLE consents; DROP TABLE bans;");
  EXPECT_EQ(GetParam().schema_version(dir()), 2);

  crash_and_reopen();
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  EXPECT_EQ(db().session("room-1"), planned);
  const auto audit_after = all_audit();
  ASSERT_EQ(audit_after.size(), audit_before.size());
  EXPECT_EQ(audit_after[0].hash, audit_before[0].hash);
  EXPECT_TRUE(db().bans("room-1").empty());

  // Bans work, and the migration is not applied twice.
  const auto b = ban("room-1", "sub-1", 2000);
  db().commit({b, entry(2001)});
  reopen();
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  EXPECT_EQ(db().bans("room-1"), std::vector<ban_record>{record_of(b)});
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 2);
}

INSTANTIATE_TEST_SUITE_P(sqlite, bans_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, bans_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
