// Breaks, the session's chat policy and MuteAll for people who join later,
// with literal times.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

v1::ClientMessage start_break(std::uint32_t ms) {
  v1::Moderation c;
  c.mutable_start_break()->set_duration_ms(ms);
  return mod::wrap(c);
}
v1::ClientMessage end_break() {
  v1::Moderation c;
  c.mutable_end_break();
  return mod::wrap(c);
}

using break_test = moderation_fixture;

TEST_F(break_test, a_break_stops_the_turn_clock_and_its_countdown_ends_it) {
  staff_and_group();
  ok(1, cmd::timing(60'000), 9'000);  // one-minute turns
  ok(1, cmd::grant(3), 10'000);
  auto fx = moderate(2, start_break(300'000), 20'000);
  ASSERT_EQ(deliveries(fx), (std::vector<std::string>{"room:0:break_changed", "room:0:floor"}));
  const auto& b = fx.events[0].event.break_changed();
  EXPECT_TRUE(b.break_state().active());
  EXPECT_EQ(b.break_state().ends_at_ms(), 320'000U);
  EXPECT_EQ(b.break_state().started_at_ms(), 20'000U);
  EXPECT_EQ(b.by_member_id(), 2U);
  EXPECT_EQ(fx.events[1].event.floor().kind(), v1::FLOOR_CHANGE_PAUSED);
  EXPECT_EQ(fx.audit.at(0).action, "break_start");
  EXPECT_EQ(fx.audit.at(0).detail, "ms=300000");
  EXPECT_TRUE(room_.snapshot(4, 30'000).break_state().active());
  // The turn does not run out during the break.
  EXPECT_EQ(room_.next_wake(), std::optional<time_ms>(320'000));
  EXPECT_TRUE(wake(80'000).events.empty());

  // A new countdown keeps when the break started.
  auto longer = moderate(1, start_break(600'000), 100'000);
  EXPECT_EQ(longer.events.at(0).event.break_changed().break_state().started_at_ms(), 20'000U);
  EXPECT_EQ(room_.next_wake(), std::optional<time_ms>(700'000));

  // The countdown ends the break by itself; the clock runs again.
  auto over = wake(700'000);
  ASSERT_EQ(deliveries(over), (std::vector<std::string>{"room:0:break_changed", "room:0:floor"}));
  EXPECT_FALSE(over.events[0].event.break_changed().break_state().active());
  EXPECT_EQ(over.events[0].event.break_changed().by_member_id(), 0U);
  EXPECT_EQ(over.events[1].event.floor().kind(), v1::FLOOR_CHANGE_RESUMED);
  EXPECT_FALSE(room_.snapshot(4, 700'000).has_break_state());
  // 50 s of the turn were left when the break began.
  EXPECT_EQ(room_.next_wake(), std::optional<time_ms>(750'000));
}

TEST_F(break_test, an_open_ended_break_lasts_until_a_facilitator_ends_it) {
  staff_and_group();
  moderate(1, start_break(0), 10'000);
  EXPECT_EQ(room_.next_wake(), std::nullopt);
  auto fx = moderate(1, end_break(), 20'000);
  EXPECT_EQ(fx.events.at(0).event.break_changed().by_member_id(), 1U);
  EXPECT_EQ(fx.audit.at(0).action, "break_end");
  auto again = moderate(1, end_break(), 21'000);  // no break: nothing happens
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(again.audit.at(0).detail, "no_change");
}

TEST_F(break_test, a_break_is_for_staff_to_call_and_has_a_longest_countdown) {
  staff_and_group();
  denied(3, start_break(60'000), 10'000, "break_start", "");
  denied(6, end_break(), 10'000, "break_end", "");
  refused(1, start_break(7'200'001), 10'000, v1::ERROR_CODE_LIMIT_EXCEEDED);
  // A manual floor pause and a break are separate: ending the break leaves it.
  ok(1, cmd::pause(), 11'000);
  moderate(1, start_break(0), 12'000);
  auto fx = moderate(1, end_break(), 13'000);
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"room:0:break_changed"}));
  EXPECT_TRUE(floor(13'000).paused());
}

class chat_policy_test : public moderation_fixture {
 protected:
  void policy(v1::ChatPolicy p) {
    session_plan plan;
    plan.chat_policy = p;
    room_.configure(plan);
  }
};

TEST_F(chat_policy_test, facilitators_only_keeps_the_room_for_staff_and_private_lines_open) {
  policy(v1::CHAT_POLICY_FACILITATORS_ONLY);
  staff_and_group();
  EXPECT_EQ(room_.snapshot(3, 0).chat_policy(), v1::CHAT_POLICY_FACILITATORS_ONLY);
  refused(3, mod::chat("hi all"), 10'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(5, mod::chat("hi all"), 10'000, v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_NE(say(1, "welcome", 10'000), 0U);
  EXPECT_NE(say(2, "and from me", 10'000), 0U);
  EXPECT_TRUE(run(3, private_chat(1, "a word"), 11'000).reply->has_chat());
  EXPECT_TRUE(run(1, private_chat(3, "of course"), 11'000).reply->has_chat());
  v1::ClientMessage typing;
  typing.mutable_typing()->set_active(true);
  EXPECT_TRUE(run(3, typing, 12'000).events.empty());
}

TEST_F(chat_policy_test, off_means_no_room_chat_for_anyone_but_the_staff_stay_reachable) {
  policy(v1::CHAT_POLICY_OFF);
  staff_and_group();
  refused(1, mod::chat("hello"), 10'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(3, mod::chat("hello"), 10'000, v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_TRUE(
      run(3, private_chat(0, "help", 0, v1::CHAT_SCOPE_FACILITATORS), 11'000).reply->has_chat());
  EXPECT_TRUE(run(3, signal(), 12'000).reply->has_distress());
}

using newcomer_mute_test = moderation_fixture;

TEST_F(newcomer_mute_test, mute_all_holds_for_people_who_join_later_until_unmute_all) {
  staff_and_group();
  moderate(1, mod::mute_all(true, false, /*self_unmute=*/true), 10'000);
  const auto late = join("late", v1::ROLE_PARTICIPANT, 11'000);
  EXPECT_TRUE(who(late).chat_muted);
  EXPECT_FALSE(who(late).floor_muted);
  EXPECT_TRUE(who(late).may_unmute_self);
  // Their MemberJoined already says so: one event, no separate moderation one.
  const auto snap = room_.snapshot(1, 11'000);
  EXPECT_TRUE(snap.members(snap.members_size() - 1).chat_muted());
  const auto staff = join("co2", v1::ROLE_CO_FACILITATOR, 11'500);
  EXPECT_FALSE(who(staff).chat_muted);  // staff never
  // A second MuteAll without self-unmute tightens what newcomers get.
  moderate(1, mod::mute_all(false, true, false), 12'000);
  const auto later = join("later", v1::ROLE_FAMILY_MEMBER, 13'000);
  EXPECT_TRUE(who(later).chat_muted && who(later).floor_muted);
  EXPECT_FALSE(who(later).may_unmute_self);
  moderate(1, mod::unmute_all(), 14'000);
  const auto free = join("free", v1::ROLE_PARTICIPANT, 15'000);
  EXPECT_FALSE(who(free).chat_muted || who(free).floor_muted);
}

}  // namespace
}  // namespace hearth::core::testing
