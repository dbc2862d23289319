// Worksheets: worksheet_put makes an instance, worksheet_commit_put appends a
// committed batch, worksheet_share_put changes its sharing, all inside
// commit()'s transaction; worksheets() reads a session's sheets back in the
// order they were made, each with its commits by version, after a reopen too.
// A commit that breaks a rule (a version twice, an unknown instance) fails its
// whole transaction, so nothing of it is kept.
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class worksheets_test : public store_test {};

worksheet_put sheet(std::string session, std::string id, std::string scope = "personal") {
  worksheet_put w;
  w.session = std::move(session);
  w.instance_id = std::move(id);
  w.template_id = "thought_record";
  w.template_version = 2;
  w.scope = std::move(scope);
  w.owner_subject = "sub-owner";
  w.created_by = "fac-1";
  w.at = 1'700'000'000'000;
  return w;
}

worksheet_commit_put commit_of(const worksheet_put& w, std::int64_t version, std::string body) {
  return {w.session,       w.instance_id,
          version,         "sub-" + std::to_string(version),
          std::move(body), 1'700'000'000'000 + version};
}

TEST_P(worksheets_test, sheets_and_commits_round_trip_exactly) {
  EXPECT_TRUE(db().worksheets("room-1").empty());
  auto b = sheet("room-1", "ws-2", "family");
  b.owner_subject.clear();
  b.family_subject = std::string("sub-\0\xFF", 6);
  const auto a = sheet("room-1", "ws-1");
  const std::string binary("\x0a\x00\xff\x12 text \xC3\xA9", 12);
  db().commit({b, a, commit_of(b, 1, binary)});
  db().commit({commit_of(b, 2, "second"), commit_of(a, 1, "first of a"),
               worksheet_share_put{"room-1", "ws-1", "group"}});
  db().commit({sheet("room-2", "ws-1")});

  const auto check = [&] {
    const auto got = db().worksheets("room-1");
    ASSERT_EQ(got.size(), 2U);
    EXPECT_EQ(got[0].instance_id, "ws-2");  // made first
    EXPECT_EQ(got[0].scope, "family");
    EXPECT_EQ(got[0].family_subject, b.family_subject);
    EXPECT_EQ(got[0].owner_subject, "");
    EXPECT_EQ(got[0].sharing, "none");
    EXPECT_EQ(got[0].template_id, "thought_record");
    EXPECT_EQ(got[0].template_version, 2);
    EXPECT_EQ(got[0].created_by, "fac-1");
    EXPECT_EQ(got[0].created_at, 1'700'000'000'000);
    ASSERT_EQ(got[0].commits.size(), 2U);
    EXPECT_EQ(got[0].commits[0], (worksheet_commit_record{1, "sub-1", binary, 1'700'000'000'001}));
    EXPECT_EQ(got[0].commits[1].body, "second");
    EXPECT_EQ(got[1].instance_id, "ws-1");
    EXPECT_EQ(got[1].sharing, "group");
    ASSERT_EQ(got[1].commits.size(), 1U);
    EXPECT_EQ(got[1].commits[0].author_subject, "sub-1");
    EXPECT_EQ(db().worksheets("room-2").size(), 1U);
    EXPECT_TRUE(db().worksheets("room-2")[0].commits.empty());
  };
  check();
  reopen();
  check();
}

TEST_P(worksheets_test, a_version_stored_twice_fails_the_whole_transaction) {
  const auto a = sheet("room-1", "ws-1");
  db().commit({a, commit_of(a, 1, "one")});
  EXPECT_THROW(db().commit({sheet("room-1", "ws-2"), commit_of(a, 1, "again")}), store_error);
  const auto got = db().worksheets("room-1");
  ASSERT_EQ(got.size(), 1U);
  ASSERT_EQ(got[0].commits.size(), 1U);
  EXPECT_EQ(got[0].commits[0].body, "one");
}

TEST_P(worksheets_test, a_commit_of_an_unknown_sheet_is_refused) {
  EXPECT_THROW(db().commit({commit_of(sheet("room-1", "ws-9"), 1, "lost")}), store_error);
  EXPECT_TRUE(db().worksheets("room-1").empty());
}

TEST_P(worksheets_test, retention_purges_a_sessions_worksheets_with_their_batches) {
  const time_ms cutoff = 1'800'000'000'000;
  session_record old;
  old.id = "old";
  old.title = "Group";
  old.scheduled_start = cutoff - 200;
  old.scheduled_end = cutoff - 100;
  old.status = "scheduled";
  old.version = 1;
  session_record next = old;
  next.id = "next";
  next.scheduled_end = cutoff + 100;
  db().commit({session_put{old}, session_put{next}});
  const auto gone = sheet("old", "ws-1");
  const auto kept = sheet("next", "ws-1");
  // Rooms without a plan: by the sheet's own time (sheet() makes it before the cutoff).
  const auto walk_in = sheet("walk-in", "ws-1");
  db().commit({gone, commit_of(gone, 1, "CANARY-sheet"), kept, commit_of(kept, 1, "stays"), walk_in,
               commit_of(walk_in, 1, "CANARY-walk-in")});
  const auto report = db().purge({cutoff, std::nullopt});
  EXPECT_EQ(report.worksheets, 2);
  EXPECT_EQ(report.sessions, 1);
  EXPECT_TRUE(db().worksheets("old").empty());
  EXPECT_TRUE(db().worksheets("walk-in").empty());
  ASSERT_EQ(db().worksheets("next").size(), 1U);
  EXPECT_EQ(db().worksheets("next")[0].commits.at(0).body, "stays");
  EXPECT_EQ(db().purge({cutoff, std::nullopt}), purge_report{});
}

INSTANTIATE_TEST_SUITE_P(sqlite, worksheets_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, worksheets_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
