// Sessions and their rosters: session_put creates or replaces a session with
// its whole roster inside commit()'s transaction; session() and sessions()
// read them back exactly, in a byte-wise order both backends share; and a
// database made before sessions existed (schema version 1) gains them on open
// and keeps what it had.
#include <atomic>
#include <limits>
#include <thread>

#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class session_test : public store_test {
 protected:
  void put(const session_record& r) { db().commit({session_put{r}}); }
  std::vector<session_record> all_sessions() {
    return db().sessions(std::numeric_limits<time_ms>::min(), std::numeric_limits<time_ms>::max());
  }
};

roster_entry person(std::string subject, std::string role = "participant",
                    std::string display_name = "") {
  roster_entry e;
  e.display_name = display_name.empty() ? "Name of " + subject : std::move(display_name);
  e.subject = std::move(subject);
  e.role = std::move(role);
  e.program = e.role == "participant" ? "adult" : "";
  return e;
}

session_record sample(std::string id, time_ms start, std::vector<roster_entry> roster = {}) {
  session_record r;
  r.id = std::move(id);
  r.title = "Tuesday group";
  r.kind = "group";
  r.scheduled_start = start;
  r.scheduled_end = start + 90 * 60 * 1000;
  r.lobby_policy = "everyone_waits";
  r.chat_policy = "room";
  r.status = "scheduled";
  r.version = 1;
  r.created_at = start - 1000;
  r.updated_at = start - 1000;
  r.roster = std::move(roster);
  return r;
}

std::vector<std::string> ids(const std::vector<session_record>& records) {
  std::vector<std::string> out;
  out.reserve(records.size());
  for (const auto& r : records) {
    out.push_back(r.id);
  }
  return out;
}

std::vector<std::string> subjects(const session_record& r) {
  std::vector<std::string> out;
  out.reserve(r.roster.size());
  for (const auto& e : r.roster) {
    out.push_back(e.subject);
  }
  return out;
}

TEST_P(session_test, every_field_round_trips_exactly) {
  session_record r;
  r.id = std::string("room-\xC3\xA9\0-7", 9);
  r.title = "Gruppe f\xC3\xBCr Angeh\xC3\xB6rige \xF0\x9F\x8C\xB1 'quoted'; --";
  r.kind = "multi_family_group";
  r.scheduled_start = 1'700'000'000'000;
  r.scheduled_end = 1'700'005'400'000;
  r.lobby_policy = "roster_enters";
  r.admit_before_facilitator = true;
  r.chat_policy = "facilitators_only";
  r.keep_chat = false;
  r.status = "cancelled";
  r.version = 42;
  r.created_at = 1'690'000'000'001;
  r.updated_at = 1'699'999'999'999;
  r.roster = {
      {"fac-1", "Dr. \xE4\xBD\x90\xE8\x97\xA4", "facilitator", "", "", ""},
      {"sub-\xC3\xA9", std::string("Zo\xC3\xAB\0Nul", 8), "participant", "", "", "adolescent"},
      {std::string("fam\0-1", 6), "", "family_member", "parent", "sub-\xC3\xA9", ""},
      {"obs-1", std::string(1, '\0'), "observer", "", "", ""},
      {"co-1", "\xFF\xFE not UTF-8", "co_facilitator", "", "", ""},
  };
  put(r);
  EXPECT_EQ(db().session(r.id), r);
  EXPECT_EQ(all_sessions(), std::vector<session_record>{r});
  reopen();
  EXPECT_EQ(db().session(r.id), r);
  EXPECT_EQ(all_sessions(), std::vector<session_record>{r});
}

TEST_P(session_test, both_flags_round_trip_in_every_combination) {
  std::vector<session_record> records;
  for (int i = 0; i < 4; ++i) {
    auto r = sample("room-" + std::to_string(i), 1000 + i);
    r.admit_before_facilitator = (i & 1) != 0;
    r.keep_chat = (i & 2) != 0;
    records.push_back(r);
  }
  std::vector<write> batch;
  for (const auto& r : records) {
    batch.emplace_back(session_put{r});
  }
  db().commit(batch);
  reopen();
  EXPECT_EQ(all_sessions(), records);
  for (const auto& r : records) {
    EXPECT_EQ(db().session(r.id), r);
  }
}

TEST_P(session_test, empty_strings_and_an_empty_roster_round_trip) {
  session_record r;  // every string empty, every number 0, no roster
  put(r);
  EXPECT_EQ(db().session(""), r);
  EXPECT_EQ(all_sessions(), std::vector<session_record>{r});
  auto extremes = sample("extremes", 0);  // sample's arithmetic must not overflow
  extremes.scheduled_start = std::numeric_limits<time_ms>::min();
  extremes.scheduled_end = std::numeric_limits<time_ms>::max();
  extremes.created_at = std::numeric_limits<time_ms>::min();
  extremes.updated_at = std::numeric_limits<time_ms>::max();
  extremes.version = std::numeric_limits<std::int64_t>::max();
  extremes.roster = {{"", "", "", "", "", ""}};
  put(extremes);
  EXPECT_EQ(db().session("extremes"), extremes);
}

TEST_P(session_test, an_unknown_id_is_nullopt) {
  EXPECT_EQ(db().session("room-1"), std::nullopt);
  put(sample("room-1", 1000, {person("sub-1")}));
  put(sample(std::string("room-2\0x", 8), 1000));
  EXPECT_NE(db().session("room-1"), std::nullopt);
  for (const auto& unknown :
       {std::string("room-"), std::string("room-10"), std::string("ROOM-1"), std::string("room-1 "),
        std::string("room-2"), std::string(), std::string("room-1%"), std::string("room-_")}) {
    EXPECT_EQ(db().session(unknown), std::nullopt) << unknown;
  }
}

TEST_P(session_test, replacing_keeps_the_id_and_swaps_the_whole_roster) {
  put(sample("room-1", 1000,
             {person("fac-1", "facilitator"), person("sub-1"), person("sub-2"), person("sub-3")}));
  auto changed = sample("room-1", 5000,
                        {person("sub-4"), person("sub-2", "participant", "Renamed"),
                         person("fac-2", "facilitator"), person("sub-1")});
  changed.title = "Moved and renamed";
  changed.status = "cancelled";
  changed.version = 2;
  changed.updated_at = 4000;
  put(changed);
  EXPECT_EQ(db().session("room-1"), changed);
  // One session, under the same id, at its new time only.
  EXPECT_EQ(ids(all_sessions()), std::vector<std::string>{"room-1"});
  EXPECT_TRUE(db().sessions(1000, 1001).empty());
  reopen();
  const auto stored = db().session("room-1");
  ASSERT_NE(stored, std::nullopt);
  EXPECT_EQ(subjects(*stored), (std::vector<std::string>{"sub-4", "sub-2", "fac-2", "sub-1"}));
  EXPECT_EQ(stored->roster[1].display_name, "Renamed");

  // Emptied, then filled again.
  changed.roster.clear();
  changed.version = 3;
  put(changed);
  EXPECT_EQ(db().session("room-1"), changed);
  changed.roster = {person("sub-3"), person("fac-1", "facilitator")};
  changed.version = 4;
  put(changed);
  EXPECT_EQ(db().session("room-1"), changed);
}

TEST_P(session_test, the_range_includes_from_and_excludes_to) {
  for (const time_ms start : {999, 1000, 1500, 1999, 2000}) {
    put(sample("at-" + std::to_string(start), start));
  }
  EXPECT_EQ(ids(db().sessions(1000, 2000)),
            (std::vector<std::string>{"at-1000", "at-1500", "at-1999"}));
  EXPECT_EQ(ids(db().sessions(1001, 1999)), std::vector<std::string>{"at-1500"});
  EXPECT_EQ(ids(db().sessions(2000, 2001)), std::vector<std::string>{"at-2000"});
  EXPECT_TRUE(db().sessions(1000, 1000).empty());
  EXPECT_TRUE(db().sessions(2000, 1000).empty());
  EXPECT_TRUE(db().sessions(2001, 9000).empty());
  EXPECT_EQ(ids(db().sessions(0, 1000)), std::vector<std::string>{"at-999"});
  // The end of a session does not matter: only its start.
  EXPECT_TRUE(db().sessions(1000 + 60, 1500).empty());
}

TEST_P(session_test, the_range_is_ordered_by_start_then_id_byte_by_byte) {
  // Put in no particular order. Ids compare as bytes: uppercase before
  // lowercase, a prefix before what extends it, UTF-8 after ASCII.
  const std::vector<std::string> same_start = {
      "\xC3\xA9t\xC3\xA9", std::string("a\0", 2), "B", "a", "ab", "A"};
  put(sample("late", 3000));
  for (const auto& id : same_start) {
    put(sample(id, 2000));
  }
  put(sample("early-z", -5));
  put(sample("early-a", 1000));
  EXPECT_EQ(ids(all_sessions()),
            (std::vector<std::string>{"early-z", "early-a", "A", "B", "a", std::string("a\0", 2),
                                      "ab", "\xC3\xA9t\xC3\xA9", "late"}));
  EXPECT_EQ(
      ids(db().sessions(2000, 2001)),
      (std::vector<std::string>{"A", "B", "a", std::string("a\0", 2), "ab", "\xC3\xA9t\xC3\xA9"}));
}

TEST_P(session_test, the_range_includes_rosters_in_stored_order) {
  const auto first = sample("room-1", 1000, {person("sub-3"), person("sub-1"), person("sub-2")});
  const auto empty = sample("room-2", 1100);
  const auto second =
      sample("room-3", 1200, {person("fac-9", "facilitator"), person("sub-1"), person("sub-0")});
  db().commit({session_put{second}, session_put{empty}, session_put{first}});
  EXPECT_EQ(db().sessions(0, 2000), (std::vector<session_record>{first, empty, second}));
}

TEST_P(session_test, a_put_in_a_failing_batch_is_not_applied) {
  const auto original = sample("room-1", 1000, {person("sub-1"), person("sub-2")});
  put(original);
  db().commit({entry(1)});
  GetParam().fail_audit_by(dir(), "poison");

  auto changed = original;
  changed.title = "changed";
  changed.version = 2;
  changed.roster = {person("sub-3")};
  EXPECT_THROW(
      db().commit({session_put{changed}, session_put{sample("room-2", 1500, {person("sub-1")})},
                   entry(2, "sub-1"), entry(3, "poison")}),
      store_error);
  EXPECT_EQ(db().session("room-1"), original);
  EXPECT_EQ(db().session("room-2"), std::nullopt);
  EXPECT_EQ(all_sessions(), std::vector<session_record>{original});
  EXPECT_EQ(all_audit().size(), 1U);

  // The failure was the audit entry's: the same puts without it commit.
  db().commit({session_put{changed}, entry(4, "sub-1")});
  EXPECT_EQ(db().session("room-1"), changed);
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 2);
}

// A roster names each person once: one naming someone twice is refused, and
// the batch with it.
TEST_P(session_test, a_roster_naming_someone_twice_fails_the_batch) {
  const auto original = sample("room-1", 1000, {person("sub-1")});
  put(original);
  auto twice = sample("room-1", 1000, {person("sub-2"), person("sub-3"), person("sub-2")});
  twice.version = 2;
  EXPECT_THROW(db().commit({entry(1), session_put{twice}}), store_error);
  EXPECT_EQ(db().session("room-1"), original);
  EXPECT_TRUE(all_audit().empty());
}

TEST_P(session_test, rosters_of_two_sessions_are_independent) {
  const auto one = sample("room-1", 1000, {person("sub-1"), person("sub-2")});
  auto two = sample("room-2", 1000, {person("sub-3"), person("sub-4"), person("sub-5")});
  put(one);
  put(two);
  two.roster = {person("sub-6")};
  put(two);
  EXPECT_EQ(db().session("room-1"), one);
  EXPECT_EQ(db().session("room-2"), two);
  two.roster.clear();
  put(two);
  EXPECT_EQ(db().session("room-1"), one);
  EXPECT_EQ(db().session("room-2"), two);
}

TEST_P(session_test, one_subject_on_two_sessions) {
  // The same person leads one group and sits in another, named differently.
  auto lead = sample("room-1", 1000, {person("sub-1"), person("pat-7", "facilitator", "Pat")});
  auto joins = sample("room-2", 2000, {person("pat-7", "participant", "P."), person("sub-2")});
  put(lead);
  put(joins);
  EXPECT_EQ(all_sessions(), (std::vector<session_record>{lead, joins}));
  // Taking them off one roster leaves them on the other.
  lead.roster = {person("sub-1")};
  put(lead);
  EXPECT_EQ(db().session("room-2"), joins);
  EXPECT_EQ(db().session("room-1"), lead);
  joins.roster[0].role = "observer";
  put(joins);
  EXPECT_EQ(all_sessions(), (std::vector<session_record>{lead, joins}));
}

TEST_P(session_test, a_large_roster_keeps_its_order) {
  std::vector<roster_entry> roster;
  for (int i = 2500; i > 0; --i) {  // more than one statement's worth on PostgreSQL
    roster.push_back(person("sub-" + std::to_string(i * 7919 % 10007)));
  }
  const auto r = sample("big", 1000, roster);
  put(r);
  EXPECT_EQ(db().session("big"), r);
  EXPECT_EQ(all_sessions(), std::vector<session_record>{r});
}

// Two stores (the server and the command line) replace the same session at
// once: every read sees one put whole, session and roster together, and the
// last put wins whole.
TEST_P(session_test, concurrent_replacements_never_mix_rosters) {
  constexpr int puts = 50;
  constexpr int people = 5;
  auto other = GetParam().open(dir());
  auto version_of = [](const std::string& writer, int n) {
    auto r = sample("room-1", 1000);
    r.title = writer;
    r.version = n;
    for (int i = 0; i < people; ++i) {
      r.roster.push_back(person(writer + "-" + std::to_string(n) + "-" + std::to_string(i)));
    }
    return r;
  };
  auto check_whole = [&](const session_record& r) {
    ASSERT_EQ(r.roster.size(), static_cast<std::size_t>(people)) << r.title;
    EXPECT_EQ(r, version_of(r.title, static_cast<int>(r.version)));
  };
  std::atomic<int> finished{0};
  std::thread first([&] {
    for (int n = 1; n <= puts; ++n) {
      db().commit({session_put{version_of("one", n)}});
    }
    finished.fetch_add(1);
  });
  std::thread second([&] {
    for (int n = 1; n <= puts; ++n) {
      other->commit({session_put{version_of("two", n)}});
    }
    finished.fetch_add(1);
  });
  int reads = 0;
  while (finished.load() < 2) {
    if (const auto r = other->session("room-1")) {
      check_whole(*r);
      ++reads;
    }
    for (const auto& r : db().sessions(0, 2000)) {
      check_whole(r);
    }
  }
  first.join();
  second.join();
  const auto last = db().session("room-1");
  ASSERT_NE(last, std::nullopt);
  check_whole(*last);
  EXPECT_EQ(last->version, puts);
  EXPECT_EQ(all_sessions().size(), 1U);
  ::testing::Test::RecordProperty("reads", reads);
}

// A database from before sessions existed (made here by taking migrations 2
// and later back out of a fresh one) is migrated on open and keeps its audit
// trail, attendance and runs.
TEST_P(session_test, a_version_1_database_migrates_and_keeps_its_data) {
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  const auto run = db().begin_run(1000);
  db().commit({entry(1001), attendance_open{"room-1", "sub-1", "participant", 1002},
               attendance_open{"room-1", "sub-2", "participant", 1003},
               attendance_close{"room-1", "sub-2", 1004}, alive_mark{run, 1005},
               entry(1006, "sub-2")});
  const auto audit_before = all_audit();
  const auto attendance_before = db().attendance("room-1");
  tamper(
      "DELETE FROM schema_migrations WHERE version >= 2; DROP TABLE worksheet_templates; "
      "DROP TABLE worksheet_commits; DROP TABLE "
      "worksheets; DROP TABLE kept_chat; DROP TABLE "
      "audit_anchor; "
      "DROP TABLE consents; DROP TABLE bans; "
      "DROP TABLE session_roster; DROP TABLE sessions;");
  EXPECT_EQ(GetParam().schema_version(dir()), 1);

  crash_and_reopen();
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  const auto audit_after = all_audit();
  ASSERT_EQ(audit_after.size(), audit_before.size());
  for (std::size_t i = 0; i < audit_before.size(); ++i) {
    EXPECT_EQ(audit_after[i].entry, audit_before[i].entry);
    EXPECT_EQ(audit_after[i].hash, audit_before[i].hash);
  }
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 2);
  const auto attendance_after = db().attendance("room-1");
  ASSERT_EQ(attendance_after.size(), attendance_before.size());
  for (std::size_t i = 0; i < attendance_before.size(); ++i) {
    EXPECT_EQ(attendance_after[i].subject, attendance_before[i].subject);
    EXPECT_EQ(attendance_after[i].joined_at, attendance_before[i].joined_at);
    EXPECT_EQ(attendance_after[i].left_at, attendance_before[i].left_at);
  }
  // The runs table kept the last alive mark: the open segment closes there.
  EXPECT_GT(db().begin_run(2000), run);
  const auto closed = db().attendance("room-1");
  ASSERT_EQ(closed.size(), 2U);
  EXPECT_EQ(closed[0].left_at, 1005);
  EXPECT_EQ(closed[0].closed_by, "restart");

  // Sessions work, and the migration is not applied twice.
  const auto r = sample("room-1", 3000, {person("sub-1"), person("fac-1", "facilitator")});
  db().commit({session_put{r}, entry(3001)});
  reopen();
  EXPECT_EQ(GetParam().schema_version(dir()), latest_schema);
  EXPECT_EQ(db().session("room-1"), r);
  EXPECT_EQ(all_audit().size(), 3U);
}

INSTANTIATE_TEST_SUITE_P(sqlite, session_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, session_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
