// Consents: consent_put creates or replaces an observer's consent for a
// session (a revoked one too, which is then in effect again) and
// consent_revoke withdraws one, both inside commit()'s transaction;
// consents() reads a session's consents back exactly, by subject; and a
// database made before consents existed (schema version 3) gains them on open
// and keeps what it had.
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class consents_test : public store_test {};

consent_put grant(std::string session, std::string subject, time_ms at,
                  std::optional<time_ms> expires = std::nullopt, std::string method = "admin_api",
                  std::string recorded_by = "admin") {
  consent_put c;
  c.session = std::move(session);
  c.subject = std::move(subject);
  c.method = std::move(method);
  c.recorded_by = std::move(recorded_by);
  c.granted_at = at;
  c.expires_at = expires;
  return c;
}

consent_record record_of(const consent_put& c) {
  return {c.subject, c.method, c.recorded_by, c.granted_at, c.expires_at, std::nullopt, ""};
}

consent_record revoked(const consent_put& c, time_ms at, std::string by) {
  auto r = record_of(c);
  r.revoked_at = at;
  r.revoked_by = std::move(by);
  return r;
}

TEST_P(consents_test, every_field_round_trips_exactly) {
  EXPECT_TRUE(db().consents("room-1").empty());
  consent_put c;
  c.session = std::string("room-\xC3\xA9\0-7", 9);
  c.subject = std::string("obs\0-\xFF", 6);
  c.method = "attested";
  c.recorded_by = std::string("fac-\xE4\xBD\x90\0 'quoted'; --", 20);
  c.granted_at = -5;
  c.expires_at = std::numeric_limits<std::int64_t>::max();
  auto empty = grant(c.session, "", 0, std::nullopt, "", "");  // every string but the session empty
  auto zero = grant(c.session, "obs-zero", std::numeric_limits<std::int64_t>::min(), 0);
  db().commit({c, empty, zero});
  const std::vector<consent_record> expected = {record_of(empty), record_of(c), record_of(zero)};
  EXPECT_EQ(db().consents(c.session), expected);
  EXPECT_TRUE(db().consents("room-\xC3\xA9").empty());
  reopen();
  EXPECT_EQ(db().consents(c.session), expected);

  // A revocation's fields round-trip too, the author's bytes included.
  const std::string by("fac-\xFF\0x", 7);
  db().commit({consent_revoke{c.session, c.subject, by, std::numeric_limits<std::int64_t>::min()},
               consent_revoke{c.session, "", "", 0}});
  const std::vector<consent_record> after = {
      revoked(empty, 0, ""), revoked(c, std::numeric_limits<std::int64_t>::min(), by),
      record_of(zero)};
  EXPECT_EQ(db().consents(c.session), after);
  reopen();
  EXPECT_EQ(db().consents(c.session), after);
}

TEST_P(consents_test, consents_are_listed_by_subject) {
  // Put in no particular order, at times that would order them otherwise;
  // byte by byte: uppercase before lowercase, a prefix before what extends it.
  db().commit(
      {grant("room-1", "obs-late", 1000), grant("room-1", "b", 3000), grant("room-1", "B", 4000)});
  db().commit({grant("room-1", "a", 5000, 9000), grant("room-1", std::string("b\0", 2), 2000)});
  const std::vector<consent_record> expected = {
      record_of(grant("room-1", "B", 4000)), record_of(grant("room-1", "a", 5000, 9000)),
      record_of(grant("room-1", "b", 3000)),
      record_of(grant("room-1", std::string("b\0", 2), 2000)),
      record_of(grant("room-1", "obs-late", 1000))};
  EXPECT_EQ(db().consents("room-1"), expected);
}

TEST_P(consents_test, a_second_put_replaces_the_consent) {
  db().commit({grant("room-1", "obs-1", 1000, 5000), grant("room-1", "obs-2", 2000)});
  // An expiry replaced by none, the method and recorder replaced.
  const auto again = grant("room-1", "obs-1", 3000, std::nullopt, "attested", "fac-1");
  db().commit({again});
  EXPECT_EQ(
      db().consents("room-1"),
      (std::vector<consent_record>{record_of(again), record_of(grant("room-1", "obs-2", 2000))}));
  // And none replaced by an expiry.
  const auto limited = grant("room-1", "obs-1", 4000, 6000);
  db().commit({limited});
  EXPECT_EQ(
      db().consents("room-1"),
      (std::vector<consent_record>{record_of(limited), record_of(grant("room-1", "obs-2", 2000))}));
}

TEST_P(consents_test, revoking_marks_only_that_consent) {
  const auto one = grant("room-1", "obs-1", 1000);
  const auto two = grant("room-1", "obs-2", 2000, 9000);
  const auto three = grant("room-1", "obs-3", 3000, std::nullopt, "attested", "fac-1");
  db().commit({one, two, three});
  db().commit({consent_revoke{"room-1", "obs-2", "admin", 4000}});
  // The row stays, with when and by whom: the record of a withdrawn consent is kept.
  EXPECT_EQ(
      db().consents("room-1"),
      (std::vector<consent_record>{record_of(one), revoked(two, 4000, "admin"), record_of(three)}));
  db().commit({consent_revoke{"room-1", "obs-1", "fac-2", 5000},
               consent_revoke{"room-1", "obs-3", "fac-1", 6000}});
  EXPECT_EQ(db().consents("room-1"),
            (std::vector<consent_record>{revoked(one, 5000, "fac-2"), revoked(two, 4000, "admin"),
                                         revoked(three, 6000, "fac-1")}));
}

TEST_P(consents_test, a_second_revocation_keeps_the_first) {
  const auto c = grant("room-1", "obs-1", 1000);
  db().commit({c});
  db().commit({consent_revoke{"room-1", "obs-1", "fac-1", 2000}});
  db().commit({consent_revoke{"room-1", "obs-1", "admin", 3000}});
  db().commit({consent_revoke{"room-1", "obs-1", "admin", 1500}});
  EXPECT_EQ(db().consents("room-1"), std::vector<consent_record>{revoked(c, 2000, "fac-1")});
}

TEST_P(consents_test, revoking_an_absent_consent_is_fine) {
  db().commit({consent_revoke{"room-1", "obs-1", "admin", 1000}});
  EXPECT_TRUE(db().consents("room-1").empty());  // a revocation creates nothing
  const auto c = grant("room-1", "obs-1", 2000);
  db().commit({c});
  // Near misses revoke nothing, and the rest of the batch commits.
  db().commit({consent_revoke{"room-1", "obs-2", "admin", 3000},
               consent_revoke{"room-1", "obs-1 ", "admin", 3000},
               consent_revoke{"room-1", std::string("obs-1\0", 6), "admin", 3000},
               consent_revoke{"ROOM-1", "obs-1", "admin", 3000},
               consent_revoke{"room-2", "obs-1", "admin", 3000}, entry(3001)});
  EXPECT_EQ(db().consents("room-1"), std::vector<consent_record>{record_of(c)});
  EXPECT_TRUE(db().consents("room-2").empty());
  EXPECT_TRUE(db().consents("ROOM-1").empty());
  EXPECT_EQ(all_audit().size(), 1U);
}

TEST_P(consents_test, a_new_grant_after_a_revocation_grants_again) {
  const auto first = grant("room-1", "obs-1", 1000, 9000);
  db().commit({first});
  db().commit({consent_revoke{"room-1", "obs-1", "fac-1", 2000}});
  const auto again = grant("room-1", "obs-1", 3000, std::nullopt, "attested", "fac-2");
  db().commit({again});
  // In effect again: no trace of the revocation on the new grant.
  EXPECT_EQ(db().consents("room-1"), std::vector<consent_record>{record_of(again)});
  // And it can be revoked again.
  db().commit({consent_revoke{"room-1", "obs-1", "admin", 4000}});
  EXPECT_EQ(db().consents("room-1"), std::vector<consent_record>{revoked(again, 4000, "admin")});
}

TEST_P(consents_test, writes_in_one_batch_apply_in_order) {
  const auto one = grant("room-1", "obs-1", 1000);
  const auto two = grant("room-1", "obs-2", 3000);
  db().commit({one, consent_revoke{"room-1", "obs-1", "admin", 2000},
               consent_revoke{"room-1", "obs-2", "admin", 2000}, two});
  EXPECT_EQ(db().consents("room-1"),
            (std::vector<consent_record>{revoked(one, 2000, "admin"), record_of(two)}));
  const auto three = grant("room-1", "obs-1", 4000);
  db().commit({consent_revoke{"room-1", "obs-2", "admin", 3500}, three});
  EXPECT_EQ(db().consents("room-1"),
            (std::vector<consent_record>{record_of(three), revoked(two, 3500, "admin")}));
}

TEST_P(consents_test, consents_are_per_session) {
  const auto one = grant("room-1", "obs-1", 1000);
  const auto ten = grant("room-10", "obs-1", 2000, 5000);
  const auto nul = grant(std::string("room-1\0", 7), "obs-1", 3000);
  db().commit({one, ten, nul, grant("room-2", "obs-2", 4000)});
  EXPECT_EQ(db().consents("room-1"), std::vector<consent_record>{record_of(one)});
  EXPECT_EQ(db().consents("room-10"), std::vector<consent_record>{record_of(ten)});
  EXPECT_EQ(db().consents(std::string("room-1\0", 7)), std::vector<consent_record>{record_of(nul)});
  for (const auto& unknown : {std::string("room-"), std::string("ROOM-1"), std::string("room-%"),
                              std::string("room-_"), std::string()}) {
    EXPECT_TRUE(db().consents(unknown).empty()) << unknown;
  }
  // Revoked in one session, the observer keeps their consent in the others.
  db().commit({consent_revoke{"room-1", "obs-1", "admin", 6000}});
  EXPECT_EQ(db().consents("room-1"), std::vector<consent_record>{revoked(one, 6000, "admin")});
  EXPECT_EQ(db().consents("room-10"), std::vector<consent_record>{record_of(ten)});
  EXPECT_EQ(db().consents(std::string("room-1\0", 7)), std::vector<consent_record>{record_of(nul)});
  EXPECT_EQ(db().consents("room-2").size(), 1U);
}

TEST_P(consents_test, consents_survive_reopening) {
  const auto kept = grant("room-1", "obs-1", 1000, 9000);
  const auto other = grant("room-1", "obs-2", 2000, std::nullopt, "attested", "fac-1");
  db().commit({kept, other});
  reopen();
  EXPECT_EQ(db().consents("room-1"),
            (std::vector<consent_record>{record_of(kept), record_of(other)}));
  db().commit({consent_revoke{"room-1", "obs-2", "fac-1", 3000}});
  crash_and_reopen();
  EXPECT_EQ(db().consents("room-1"),
            (std::vector<consent_record>{record_of(kept), revoked(other, 3000, "fac-1")}));
}

TEST_P(consents_test, consents_in_a_failing_batch_are_not_applied) {
  const auto original = grant("room-1", "obs-1", 1000);
  const auto other = grant("room-1", "obs-2", 2000);
  const auto gone = grant("room-1", "obs-3", 500);
  db().commit({original, other, gone, entry(1)});
  db().commit({consent_revoke{"room-1", "obs-3", "admin", 600}});
  GetParam().fail_audit_by(dir(), "poison");

  EXPECT_THROW(db().commit({grant("room-1", "obs-1", 3000, 4000, "attested", "fac-2"),
                            consent_revoke{"room-1", "obs-2", "admin", 3000},
                            grant("room-1", "obs-3", 3000), grant("room-1", "obs-4", 3000),
                            grant("room-2", "obs-1", 3000), entry(2, "obs-1"), entry(3, "poison")}),
               store_error);
  const std::vector<consent_record> before = {record_of(original), record_of(other),
                                              revoked(gone, 600, "admin")};
  EXPECT_EQ(db().consents("room-1"), before);
  EXPECT_TRUE(db().consents("room-2").empty());
  EXPECT_EQ(all_audit().size(), 1U);

  // The failure was the audit entry's: the same consents without it commit.
  const auto regrant = grant("room-1", "obs-3", 3000);
  db().commit({regrant, consent_revoke{"room-1", "obs-2", "admin", 3000}, entry(4, "obs-1")});
  EXPECT_EQ(db().consents("room-1"),
            (std::vector<consent_record>{record_of(original), revoked(other, 3000, "admin"),
                                         record_of(regrant)}));
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 2);
}

// A database from before consents existed (made here by taking migrations 4
// and later back out of a fresh one) is migrated on open and keeps its sessions,
// bans and audit trail.
TEST_P(consents_test, a_version_3_database_migrates_and_keeps_its_data) {
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  session_record planned;
  planned.id = "room-1";
  planned.title = "Tuesday group";
  planned.version = 1;
  planned.roster = {{"sub-1", "Sam", "participant", "", "", "adult"},
                    {"obs-1", "Morgan", "observer", "", "", ""}};
  const ban_put ban{"room-1", "sub-2", "Kim", "participant", "fac-1", 900};
  db().commit({session_put{planned}, ban, entry(1000)});
  const auto audit_before = all_audit();
  tamper(
      "DELETE FROM schema_migrations WHERE version >= 4; DROP TABLE worksheet_templates; "
      "DROP TABLE worksheet_commits; DROP TABLE "
      "worksheets; DROP TABLE kept_chat; DROP TABLE "
      "audit_anchor; "
      "DROP INDEX sessions_by_end; DROP TABLE consents;");
  EXPECT_EQ(GetParam().schema_version(dir()), 3);

  crash_and_reopen();
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  EXPECT_EQ(db().session("room-1"), planned);
  EXPECT_EQ(db().bans("room-1"),
            (std::vector<ban_record>{{"sub-2", "Kim", "participant", "fac-1", 900}}));
  const auto audit_after = all_audit();
  ASSERT_EQ(audit_after.size(), audit_before.size());
  EXPECT_EQ(audit_after[0].entry, audit_before[0].entry);
  EXPECT_EQ(audit_after[0].hash, audit_before[0].hash);
  EXPECT_TRUE(db().consents("room-1").empty());

  // Consents work, and the migration is not applied twice.
  const auto c = grant("room-1", "obs-1", 2000, 3000);
  db().commit({c, entry(2001)});
  reopen();
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  EXPECT_EQ(db().consents("room-1"), std::vector<consent_record>{record_of(c)});
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 2);
}

INSTANTIATE_TEST_SUITE_P(sqlite, consents_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, consents_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
