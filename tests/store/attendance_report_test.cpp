// Attendance arithmetic with literal times: reconnects inside and outside the
// grace period, overlapping connections, segments crossing midnight and week
// boundaries, people still present, participant counts.
#include "store/attendance_report.hpp"

#include <gtest/gtest.h>

namespace hearth::store {
namespace {

constexpr time_ms minute = 60'000;
constexpr time_ms hour = 60 * minute;
constexpr time_ms day = 24 * hour;

attendance_segment seg(const std::string& subject, time_ms from, std::optional<time_ms> to,
                       const std::string& role = "participant", const std::string& session = "s1") {
  return {session, subject, role, from, to, to ? "left" : ""};
}

TEST(attendance_report, one_segment_per_reconnect_within_grace_counts_straight_through) {
  // The core merges a reconnect within the grace period into one segment.
  const auto r = summarize_session("s1", {seg("a", 0, 90 * minute)}, 100 * minute);
  ASSERT_EQ(r.people.size(), 1U);
  EXPECT_EQ(r.people[0].present_ms, 90 * minute);
  EXPECT_EQ(r.people[0].segments, 1U);
  EXPECT_FALSE(r.people[0].present_now);
}

TEST(attendance_report, a_reconnect_after_the_grace_period_leaves_the_gap_out) {
  const auto r = summarize_session(
      "s1", {seg("a", 0, 30 * minute), seg("a", 40 * minute, 90 * minute)}, 100 * minute);
  EXPECT_EQ(r.people[0].present_ms, 80 * minute);
  EXPECT_EQ(r.people[0].segments, 2U);
  EXPECT_EQ(r.people[0].first_joined, 0);
  EXPECT_EQ(r.people[0].last_left, 90 * minute);
}

TEST(attendance_report, overlapping_connections_never_count_twice) {
  const auto r = summarize_session("s1",
                                   {seg("a", 0, 60 * minute), seg("a", 30 * minute, 90 * minute),
                                    seg("a", 45 * minute, 50 * minute)},
                                   100 * minute);
  EXPECT_EQ(r.people[0].present_ms, 90 * minute);
}

TEST(attendance_report, someone_still_present_counts_up_to_now) {
  const auto r = summarize_session("s1", {seg("a", 10 * minute, std::nullopt)}, 70 * minute);
  EXPECT_EQ(r.people[0].present_ms, 60 * minute);
  EXPECT_TRUE(r.people[0].present_now);
  EXPECT_EQ(r.people[0].last_left, 70 * minute);
}

TEST(attendance_report, counts_participants_and_family_apart_from_staff) {
  const auto r =
      summarize_session("s1",
                        {seg("f", 0, hour, "facilitator"), seg("a", 5, hour), seg("b", 10, hour),
                         seg("a", 2 * hour, 3 * hour), seg("m", 20, hour, "family_member"),
                         seg("o", 30, hour, "observer")},
                        4 * hour);
  EXPECT_EQ(r.participants, 2U);
  EXPECT_EQ(r.family_members, 1U);
  ASSERT_EQ(r.people.size(), 5U);
  EXPECT_EQ(r.people[0].subject, "f");  // in order of first arrival
  EXPECT_EQ(r.people[1].subject, "a");
}

TEST(attendance_report, a_session_crossing_midnight_splits_between_days) {
  const time_ms midnight = 10 * day;
  const std::vector<attendance_segment> s = {seg("a", midnight - 30 * minute, midnight + hour)};
  EXPECT_EQ(present_within(s, midnight - day, midnight, midnight + 2 * hour), 30 * minute);
  EXPECT_EQ(present_within(s, midnight, midnight + day, midnight + 2 * hour), hour);
}

TEST(attendance_report, a_week_counts_only_its_part_of_segments_crossing_its_bounds) {
  const time_ms week_start = 7 * day;
  const time_ms week_end = 14 * day;
  const std::vector<attendance_segment> s = {
      seg("a", week_start - hour, week_start + 2 * hour, "participant", "s1"),  // 2 h inside
      seg("a", 9 * day, 9 * day + 3 * hour, "participant", "s2"),               // 3 h
      seg("a", 9 * day + 2 * hour, 9 * day + 4 * hour, "participant", "s3"),    // 1 h new
      seg("a", week_end - 30 * minute, week_end + hour, "participant", "s4"),   // 30 min
      seg("a", week_end + day, week_end + day + hour, "participant", "s5"),     // outside
  };
  EXPECT_EQ(present_within(s, week_start, week_end, 20 * day), 6 * hour + 30 * minute);
}

TEST(attendance_report, open_segments_in_a_window_run_to_now) {
  const std::vector<attendance_segment> s = {seg("a", 3 * hour, std::nullopt)};
  EXPECT_EQ(present_within(s, 0, day, 5 * hour), 2 * hour);
  EXPECT_EQ(present_within(s, 0, 4 * hour, 5 * hour), hour);
}

TEST(attendance_report, empty_input_is_zero) {
  EXPECT_EQ(present_within({}, 0, day, day), 0);
  EXPECT_TRUE(summarize_session("s1", {}, 0).people.empty());
}

}  // namespace
}  // namespace hearth::store
