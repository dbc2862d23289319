// Attendance segments, and begin_run closing what an unclean stop left open.
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class attendance_test : public store_test {
 protected:
  void open(const std::string& session, const std::string& subject, time_ms at,
            const std::string& role = "participant") {
    db().commit({attendance_open{session, subject, role, at}});
  }
  void close(const std::string& session, const std::string& subject, time_ms at) {
    db().commit({attendance_close{session, subject, at}});
  }
};

// Every segment ever returned ends no earlier than it starts, and is either
// open with no reason or closed with one.
void expect_well_formed(const std::vector<attendance_segment>& segments) {
  for (const auto& s : segments) {
    if (s.left_at) {
      EXPECT_GE(*s.left_at, s.joined_at) << s.subject;
      EXPECT_FALSE(s.closed_by.empty()) << s.subject;
    } else {
      EXPECT_EQ(s.closed_by, "") << s.subject;
    }
  }
}

TEST_P(attendance_test, open_and_close_make_a_segment) {
  open("room-1", "sub-1", 1000, "facilitator");
  auto segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 1U);
  EXPECT_EQ(segments[0].session, "room-1");
  EXPECT_EQ(segments[0].subject, "sub-1");
  EXPECT_EQ(segments[0].role, "facilitator");
  EXPECT_EQ(segments[0].joined_at, 1000);
  EXPECT_EQ(segments[0].left_at, std::nullopt);
  EXPECT_EQ(segments[0].closed_by, "");

  close("room-1", "sub-1", 5000);
  segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 1U);
  EXPECT_EQ(segments[0].left_at, 5000);
  EXPECT_EQ(segments[0].closed_by, "left");

  // Coming back makes a second segment; the first is untouched.
  open("room-1", "sub-1", 6000);
  close("room-1", "sub-1", 7000);
  segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 2U);
  EXPECT_EQ(segments[0].left_at, 5000);
  EXPECT_EQ(segments[1].joined_at, 6000);
  EXPECT_EQ(segments[1].left_at, 7000);
  EXPECT_EQ(segments[1].role, "participant");
  expect_well_formed(segments);
}

TEST_P(attendance_test, close_without_open_changes_nothing) {
  close("room-1", "sub-1", 1000);
  EXPECT_TRUE(db().attendance("room-1").empty());
  open("room-1", "sub-1", 2000);
  close("room-1", "sub-1", 3000);
  close("room-1", "sub-1", 4000);  // already closed: the first close stands
  close("room-1", "sub-2", 4000);  // someone else
  const auto segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 1U);
  EXPECT_EQ(segments[0].left_at, 3000);
  EXPECT_EQ(segments[0].closed_by, "left");
}

TEST_P(attendance_test, second_open_supersedes_the_stray_one) {
  open("room-1", "sub-1", 1000);
  open("room-1", "sub-1", 2000, "facilitator");
  const auto segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 2U);
  EXPECT_EQ(segments[0].joined_at, 1000);
  EXPECT_EQ(segments[0].left_at, 2000);
  EXPECT_EQ(segments[0].closed_by, "superseded");
  EXPECT_EQ(segments[1].joined_at, 2000);
  EXPECT_EQ(segments[1].left_at, std::nullopt);
  EXPECT_EQ(segments[1].role, "facilitator");
  // A close applies to the open one only.
  close("room-1", "sub-1", 3000);
  const auto after = db().attendance("room-1");
  EXPECT_EQ(after[0].left_at, 2000);
  EXPECT_EQ(after[0].closed_by, "superseded");
  EXPECT_EQ(after[1].left_at, 3000);
  EXPECT_EQ(after[1].closed_by, "left");
}

TEST_P(attendance_test, superseding_open_dated_earlier_is_clamped_to_the_join_time) {
  open("room-1", "sub-1", 5000);
  open("room-1", "sub-1", 4000);  // clocks step back
  const auto segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 2U);
  EXPECT_EQ(segments[0].joined_at, 4000);  // ordered by join time
  EXPECT_EQ(segments[0].left_at, std::nullopt);
  EXPECT_EQ(segments[1].joined_at, 5000);
  EXPECT_EQ(segments[1].left_at, 5000);
  EXPECT_EQ(segments[1].closed_by, "superseded");
  expect_well_formed(segments);
}

TEST_P(attendance_test, close_before_join_is_clamped_to_the_join_time) {
  open("room-1", "sub-1", 5000);
  close("room-1", "sub-1", 4000);
  const auto segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 1U);
  EXPECT_EQ(segments[0].left_at, 5000);
  EXPECT_EQ(segments[0].closed_by, "left");
}

TEST_P(attendance_test, segments_are_ordered_by_join_time) {
  // Committed out of order, and several in one batch.
  db().commit({attendance_open{"room-1", "sub-c", "participant", 3000},
               attendance_open{"room-1", "sub-a", "participant", 1000}});
  open("room-1", "sub-b", 2000);
  open("room-1", "sub-d", 2000);
  open("room-1", "sub-0", 500);
  const auto segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 5U);
  std::vector<std::string> subjects;
  for (const auto& s : segments) {
    subjects.push_back(s.subject);
  }
  EXPECT_EQ(subjects, (std::vector<std::string>{"sub-0", "sub-a", "sub-b", "sub-d", "sub-c"}));
}

TEST_P(attendance_test, sessions_are_isolated) {
  open("room-1", "sub-1", 1000);
  open("room-2", "sub-1", 1100);
  close("room-2", "sub-1", 1500);
  open("room-1", "sub-2", 1200);
  auto room1 = db().attendance("room-1");
  ASSERT_EQ(room1.size(), 2U);
  EXPECT_EQ(room1[0].left_at, std::nullopt);  // the close was for room-2
  for (const auto& s : room1) {
    EXPECT_EQ(s.session, "room-1");
  }
  auto room2 = db().attendance("room-2");
  ASSERT_EQ(room2.size(), 1U);
  EXPECT_EQ(room2[0].left_at, 1500);
  // An open in one room does not supersede the other room's segment.
  open("room-2", "sub-1", 1600);
  room1 = db().attendance("room-1");
  EXPECT_EQ(room1[0].left_at, std::nullopt);
  EXPECT_EQ(room1[0].closed_by, "");
  EXPECT_TRUE(db().attendance("room-3").empty());
  EXPECT_TRUE(db().attendance("").empty());
}

TEST_P(attendance_test, begin_run_closes_what_a_crashed_run_left_open) {
  const auto run1 = db().begin_run(1000);
  db().commit({alive_mark{run1, 2000}});
  open("room-1", "left-early", 1100);
  open("room-1", "present", 1200);
  open("room-2", "present", 1300);
  close("room-1", "left-early", 1500);
  db().commit({alive_mark{run1, 3000}, alive_mark{run1, 2500}});  // an older mark does not win
  open("room-1", "after-mark", 3500);                             // joined after the last mark
  crash_and_reopen();

  const auto run2 = db().begin_run(10'000);
  EXPECT_GT(run2, run1);
  const auto room1 = db().attendance("room-1");
  ASSERT_EQ(room1.size(), 3U);
  EXPECT_EQ(room1[0].subject, "left-early");
  EXPECT_EQ(room1[0].left_at, 1500);
  EXPECT_EQ(room1[0].closed_by, "left");
  EXPECT_EQ(room1[1].subject, "present");
  EXPECT_EQ(room1[1].left_at, 3000);
  EXPECT_EQ(room1[1].closed_by, "restart");
  EXPECT_EQ(room1[2].subject, "after-mark");
  EXPECT_EQ(room1[2].left_at, 3500);  // never before it began
  EXPECT_EQ(room1[2].closed_by, "restart");
  const auto room2 = db().attendance("room-2");
  ASSERT_EQ(room2.size(), 1U);
  EXPECT_EQ(room2[0].left_at, 3000);
  EXPECT_EQ(room2[0].closed_by, "restart");
  expect_well_formed(room1);

  // The next run: segments of run 2 close at run 2's marks; run 1's stay.
  open("room-1", "present", 10'100);
  db().commit({alive_mark{run2, 11'000}});
  crash_and_reopen();
  const auto run3 = db().begin_run(20'000);
  EXPECT_GT(run3, run2);
  const auto again = db().attendance("room-1");
  ASSERT_EQ(again.size(), 4U);
  EXPECT_EQ(again[1].left_at, 3000);
  EXPECT_EQ(again[3].joined_at, 10'100);
  EXPECT_EQ(again[3].left_at, 11'000);
  EXPECT_EQ(again[3].closed_by, "restart");
}

TEST_P(attendance_test, begin_run_without_alive_marks_uses_the_run_start) {
  db().begin_run(1000);
  open("room-1", "sub-1", 900);  // joined before the run started (clock skew)
  open("room-1", "sub-2", 1100);
  crash_and_reopen();
  db().begin_run(5000);
  const auto segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 2U);
  EXPECT_EQ(segments[0].left_at, 1000);
  EXPECT_EQ(segments[1].left_at, 1100);
  expect_well_formed(segments);
}

TEST_P(attendance_test, begin_run_numbers_increase_and_clean_runs_change_nothing) {
  std::int64_t last = 0;
  for (int i = 0; i < 5; ++i) {
    const auto run = db().begin_run(1000 * (i + 1));
    EXPECT_GT(run, last);
    last = run;
    if (i % 2 == 1) {
      reopen();
    }
  }
  open("room-1", "sub-1", 6000);
  close("room-1", "sub-1", 6500);
  db().begin_run(7000);
  const auto segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 1U);
  EXPECT_EQ(segments[0].left_at, 6500);
  EXPECT_EQ(segments[0].closed_by, "left");
}

TEST_P(attendance_test, attendance_of_a_person_overlapping_a_window) {
  open("room-1", "sub-1", 1000);
  close("room-1", "sub-1", 2000);
  open("room-2", "sub-1", 1500);  // still present
  open("room-1", "sub-2", 1000);  // someone else
  auto sessions = [&](time_ms from, time_ms to) {
    std::vector<std::string> out;
    for (const auto& s : db().attendance_of("sub-1", from, to)) {
      EXPECT_EQ(s.subject, "sub-1");
      out.push_back(s.session);
    }
    return out;
  };
  using list = std::vector<std::string>;
  EXPECT_EQ(sessions(0, 10'000), (list{"room-1", "room-2"}));  // by join time
  EXPECT_EQ(sessions(1999, 2001), (list{"room-1", "room-2"}));
  EXPECT_EQ(sessions(500, 1000), list{});                 // ends where the first begins
  EXPECT_EQ(sessions(500, 1001), (list{"room-1"}));       // [from, to): 1000 is inside
  EXPECT_EQ(sessions(2000, 3000), (list{"room-2"}));      // room-1 left at 2000
  EXPECT_EQ(sessions(50'000, 60'000), (list{"room-2"}));  // open: runs on
  EXPECT_TRUE(db().attendance_of("sub-9", 0, 10'000).empty());
}

INSTANTIATE_TEST_SUITE_P(sqlite, attendance_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, attendance_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
