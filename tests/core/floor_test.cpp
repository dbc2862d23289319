// The floor outside rounds, with literal times: hand queue, modes, grants,
// timed turns, pause, departures and airtime.
#include "floor_fixture.hpp"

namespace hearth::core::testing {
namespace {

class floor_test : public floor_fixture {
 protected:
  floor_test() { cast(); }
};

TEST_F(floor_test, starts_moderated_and_free) {
  const auto state = floor();
  EXPECT_EQ(state.mode(), v1::FLOOR_MODE_MODERATED);
  EXPECT_FALSE(state.has_turn());
  EXPECT_EQ(state.hands_size(), 0);
  EXPECT_FALSE(state.has_round());
  EXPECT_EQ(room_.next_wake(), std::nullopt);
}

TEST_F(floor_test, hands_queue_in_server_arrival_order) {
  const auto head = room_.head_seq();
  auto fx = ok(3, cmd::raise(), 100);
  ASSERT_EQ(fx.events.size(), 1U);
  EXPECT_EQ(fx.events[0].to.kind, audience_kind::room_stream);
  EXPECT_EQ(fx.events[0].event.seq(), head + 1);
  EXPECT_EQ(fx.events[0].event.floor().kind(), v1::FLOOR_CHANGE_HAND_RAISED);
  EXPECT_EQ(fx.events[0].event.floor().subject_member_id(), 3U);
  EXPECT_EQ(fx.reply->floor().seq(), head + 1);
  ok(2, cmd::raise(), 200);
  ok(4, cmd::raise(), 300);
  const auto state = floor();
  EXPECT_EQ(hands(state), (std::vector<member_id>{3, 2, 4}));
  EXPECT_EQ(state.hands(0).raised_at_ms(), 100U);
  EXPECT_EQ(state.hands(2).raised_at_ms(), 300U);
}

TEST_F(floor_test, raising_again_keeps_the_first_place_and_emits_nothing) {
  ok(2, cmd::raise(), 100);
  ok(3, cmd::raise(), 200);
  const auto head = room_.head_seq();
  auto fx = ok(2, cmd::raise(), 300);
  EXPECT_TRUE(fx.events.empty());
  EXPECT_EQ(fx.reply->floor().seq(), head);
  EXPECT_EQ(hands(floor()), (std::vector<member_id>{2, 3}));
  EXPECT_EQ(floor().hands(0).raised_at_ms(), 100U);
}

TEST_F(floor_test, members_lower_their_own_hand_and_only_facilitators_lower_others) {
  ok(2, cmd::raise(), 100);
  ok(3, cmd::raise(), 200);
  refused(3, cmd::lower(2), 300, v1::ERROR_CODE_PERMISSION_DENIED);
  auto fx = ok(3, cmd::lower(), 300);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_HAND_LOWERED}));
  fx = ok(1, cmd::lower(2), 400);
  EXPECT_EQ(fx.events[0].event.floor().actor_member_id(), 1U);
  EXPECT_EQ(fx.events[0].event.floor().subject_member_id(), 2U);
  EXPECT_TRUE(hands(floor()).empty());
  EXPECT_TRUE(ok(2, cmd::lower(), 500).events.empty());  // nothing to lower
}

TEST_F(floor_test, facilitators_move_hands_and_positions_clamp) {
  ok(2, cmd::raise(), 100);
  ok(3, cmd::raise(), 200);
  ok(4, cmd::raise(), 300);
  refused(2, cmd::move(4, 0), 400, v1::ERROR_CODE_PERMISSION_DENIED);
  ok(1, cmd::move(4, 0), 400);
  EXPECT_EQ(hands(floor()), (std::vector<member_id>{4, 2, 3}));
  ok(1, cmd::move(4, 99), 500);
  EXPECT_EQ(hands(floor()), (std::vector<member_id>{2, 3, 4}));
  EXPECT_TRUE(ok(1, cmd::move(2, 0), 600).events.empty());
  refused(1, cmd::move(1, 0), 700, v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(floor_test, moderated_grant_goes_to_the_first_hand) {
  ok(3, cmd::raise(), 100);
  ok(2, cmd::raise(), 200);
  refused(2, cmd::grant(2), 300, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(2, cmd::take(), 300, v1::ERROR_CODE_FAILED_PRECONDITION);
  auto fx = ok(1, cmd::grant(), 1000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_GRANTED}));
  const auto state = floor(1000);
  EXPECT_EQ(state.turn().member_id(), 3U);
  EXPECT_EQ(state.turn().started_at_ms(), 1000U);
  EXPECT_EQ(state.turn().deadline_ms(), 0U);  // untimed by default
  EXPECT_EQ(hands(state), (std::vector<member_id>{2}));
  refused(3, cmd::raise(), 1100, v1::ERROR_CODE_FAILED_PRECONDITION);  // already speaking
}

TEST_F(floor_test, grant_checks_its_target) {
  refused(1, cmd::grant(), 100, v1::ERROR_CODE_FAILED_PRECONDITION);  // no hands
  refused(1, cmd::grant(99), 100, v1::ERROR_CODE_NOT_FOUND);
  const auto observer = join("o", v1::ROLE_OBSERVER);
  refused(1, cmd::grant(observer), 100, v1::ERROR_CODE_FAILED_PRECONDITION);
  drop(2, 200);
  refused(1, cmd::grant(2), 300, v1::ERROR_CODE_FAILED_PRECONDITION);  // reconnecting
}

TEST_F(floor_test, granting_someone_else_ends_the_current_turn) {
  ok(1, cmd::grant(2), 1000);
  ok(1, cmd::grant(3), 4000);
  EXPECT_EQ(floor().turn().member_id(), 3U);
  auto report = ok(1, cmd::airtime(), 5000).reply->floor().airtime();
  ASSERT_EQ(report.members_size(), 4);  // facilitator and the three participants
  EXPECT_EQ(report.members(1).member_id(), 2U);
  EXPECT_EQ(report.members(1).floor_ms(), 3000U);
  EXPECT_EQ(report.members(1).turns(), 1U);
  EXPECT_EQ(report.members(2).floor_ms(), 1000U);  // still speaking
  EXPECT_EQ(report.members(2).turns(), 0U);        // counted when it ends
  EXPECT_EQ(report.members(3).floor_ms(), 0U);     // has not spoken yet
}

TEST_F(floor_test, open_floor_is_taken_when_free_and_hands_follow_in_order) {
  ok(1, cmd::mode(v1::FLOOR_MODE_OPEN), 0);
  auto fx = ok(2, cmd::take(), 100);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_TAKEN}));
  refused(3, cmd::take(), 200, v1::ERROR_CODE_FAILED_PRECONDITION);
  ok(4, cmd::raise(), 300);
  ok(3, cmd::raise(), 400);
  fx = ok(2, cmd::yield(), 500);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_YIELDED, v1::FLOOR_CHANGE_GRANTED}));
  EXPECT_EQ(fx.events[1].event.floor().actor_member_id(), 0U);  // the server
  EXPECT_EQ(floor().turn().member_id(), 4U);
  EXPECT_EQ(hands(floor()), (std::vector<member_id>{3}));
  fx = ok(1, cmd::revoke(), 600);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_REVOKED, v1::FLOOR_CHANGE_GRANTED}));
  EXPECT_EQ(floor().turn().member_id(), 3U);
}

TEST_F(floor_test, a_hand_on_a_free_open_floor_gets_it_at_once) {
  ok(1, cmd::mode(v1::FLOOR_MODE_OPEN), 0);
  auto fx = ok(2, cmd::raise(), 100);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_HAND_RAISED, v1::FLOOR_CHANGE_GRANTED}));
  EXPECT_EQ(floor().turn().member_id(), 2U);
  EXPECT_TRUE(hands(floor()).empty());
}

TEST_F(floor_test, switching_to_open_grants_the_first_waiting_hand) {
  ok(3, cmd::raise(), 100);
  auto fx = ok(1, cmd::mode(v1::FLOOR_MODE_OPEN), 200);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_MODE, v1::FLOOR_CHANGE_GRANTED}));
  EXPECT_EQ(floor().turn().member_id(), 3U);
}

TEST_F(floor_test, only_the_holder_yields) {
  ok(1, cmd::grant(2), 100);
  refused(3, cmd::yield(), 200, v1::ERROR_CODE_FAILED_PRECONDITION);
  ok(2, cmd::yield(), 300);
  EXPECT_FALSE(floor().has_turn());
  EXPECT_TRUE(ok(1, cmd::revoke(), 400).events.empty());  // nothing to take back
}

TEST_F(floor_test, talking_piece_passes_from_the_holder) {
  refused(2, cmd::piece(3), 0, v1::ERROR_CODE_FAILED_PRECONDITION);  // not in that mode
  ok(1, cmd::mode(v1::FLOOR_MODE_TALKING_PIECE), 0);
  ok(1, cmd::grant(2), 100);
  refused(3, cmd::piece(4), 200, v1::ERROR_CODE_FAILED_PRECONDITION);  // not the holder
  auto fx = ok(2, cmd::piece(3), 300);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_PIECE_PASSED}));
  EXPECT_EQ(fx.events[0].event.floor().actor_member_id(), 2U);
  EXPECT_EQ(floor().turn().member_id(), 3U);
  const auto observer = join("o", v1::ROLE_OBSERVER);
  refused(3, cmd::piece(observer), 400, v1::ERROR_CODE_FAILED_PRECONDITION);
  ok(1, cmd::piece(4), 500);  // a facilitator may move it too
  EXPECT_EQ(floor().turn().member_id(), 4U);
}

TEST_F(floor_test, timed_turn_warns_then_expires_at_absolute_times) {
  ok(1, cmd::timing(60'000, 10'000), 0);
  ok(1, cmd::grant(2), 1000);
  auto turn = floor(1000).turn();
  EXPECT_EQ(turn.budget_ms(), 60'000U);
  EXPECT_EQ(turn.deadline_ms(), 61'000U);
  EXPECT_EQ(turn.warning_at_ms(), 51'000U);
  EXPECT_EQ(turn.remaining_ms(), 60'000);
  EXPECT_EQ(room_.next_wake(), 51'000);
  EXPECT_TRUE(wake(50'999).events.empty());
  auto fx = wake(51'000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_TURN_WARNING}));
  EXPECT_EQ(fx.events[0].event.floor().state().turn().deadline_ms(), 61'000U);
  EXPECT_EQ(fx.events[0].event.floor().state().turn().warning_at_ms(), 0U);
  EXPECT_EQ(room_.next_wake(), 61'000);
  fx = wake(61'000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_TURN_EXPIRED}));
  EXPECT_EQ(fx.events[0].event.floor().subject_member_id(), 2U);
  EXPECT_FALSE(floor().has_turn());
  EXPECT_EQ(room_.next_wake(), std::nullopt);
}

TEST_F(floor_test, a_late_timer_expires_without_a_stale_warning) {
  ok(1, cmd::timing(60'000, 10'000), 0);
  ok(1, cmd::grant(2), 0);
  EXPECT_EQ(kinds(wake(70'000)), (std::vector{v1::FLOOR_CHANGE_TURN_EXPIRED}));
}

TEST_F(floor_test, notify_on_expiry_keeps_the_speaker_overdue_until_extended) {
  ok(1, cmd::timing(60'000, 0, v1::EXPIRY_ACTION_NOTIFY), 0);
  ok(1, cmd::grant(2), 1000);
  EXPECT_EQ(room_.next_wake(), 61'000);
  auto fx = wake(61'000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_TURN_EXPIRED}));
  auto turn = floor(61'000).turn();
  EXPECT_EQ(turn.member_id(), 2U);
  EXPECT_TRUE(turn.overdue());
  EXPECT_EQ(room_.next_wake(), std::nullopt);
  EXPECT_EQ(floor(70'000).turn().remaining_ms(), -9000);
  refused(2, cmd::extend(30'000), 70'000, v1::ERROR_CODE_PERMISSION_DENIED);
  fx = ok(1, cmd::extend(30'000), 70'000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_TURN_EXTENDED}));
  turn = floor(70'000).turn();
  EXPECT_FALSE(turn.overdue());
  EXPECT_EQ(turn.budget_ms(), 90'000U);
  EXPECT_EQ(turn.deadline_ms(), 91'000U);
  EXPECT_EQ(room_.next_wake(), 91'000);
}

TEST_F(floor_test, extending_before_the_warning_moves_both_times) {
  ok(1, cmd::timing(60'000, 10'000), 0);
  ok(1, cmd::grant(2), 0);
  wake(50'000);  // warned
  ok(1, cmd::extend(20'000), 55'000);
  const auto turn = floor(55'000).turn();
  EXPECT_EQ(turn.deadline_ms(), 80'000U);
  EXPECT_EQ(turn.warning_at_ms(), 70'000U);  // warned again later
  EXPECT_EQ(room_.next_wake(), 70'000);
}

TEST_F(floor_test, extend_needs_a_timed_turn_and_respects_the_limit) {
  refused(1, cmd::extend(1000), 0, v1::ERROR_CODE_FAILED_PRECONDITION);
  ok(1, cmd::grant(2), 0);
  refused(1, cmd::extend(1000), 0, v1::ERROR_CODE_FAILED_PRECONDITION);  // untimed
  ok(1, cmd::timing(60'000), 0);
  ok(1, cmd::grant(3), 0);  // settings apply from the next turn
  refused(1, cmd::extend(0), 0, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, cmd::extend(600'000), 0, v1::ERROR_CODE_LIMIT_EXCEEDED);
}

TEST_F(floor_test, settings_are_validated) {
  refused(1, cmd::timing(10'000, 10'000), 0, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, cmd::timing(600'001), 0, v1::ERROR_CODE_LIMIT_EXCEEDED);
  refused(1, cmd::timing(10'000, 0, static_cast<v1::ExpiryAction>(7)), 0,
          v1::ERROR_CODE_BAD_REQUEST);
  refused(2, cmd::timing(10'000), 0, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(1, cmd::mode(v1::FLOOR_MODE_ROUND), 0, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, cmd::mode(static_cast<v1::FloorMode>(9)), 0, v1::ERROR_CODE_BAD_REQUEST);
  refused(2, cmd::mode(v1::FLOOR_MODE_OPEN), 0, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(1, v1::FloorCommand{}, 0, v1::ERROR_CODE_BAD_REQUEST);
}

TEST_F(floor_test, pause_freezes_the_clock_and_airtime) {
  ok(1, cmd::timing(60'000), 0);
  ok(1, cmd::grant(2), 0);
  refused(2, cmd::pause(), 5000, v1::ERROR_CODE_PERMISSION_DENIED);
  auto fx = ok(1, cmd::pause(), 10'000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_PAUSED}));
  auto state = floor(10'000);
  EXPECT_EQ(state.paused(), v1::PAUSE_REASON_FACILITATOR);
  EXPECT_EQ(state.turn().deadline_ms(), 0U);
  EXPECT_EQ(state.turn().remaining_ms(), 50'000);
  EXPECT_EQ(room_.next_wake(), std::nullopt);
  EXPECT_TRUE(ok(1, cmd::pause(), 11'000).events.empty());
  fx = ok(1, cmd::resume(), 100'000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_RESUMED}));
  EXPECT_EQ(floor(100'000).turn().deadline_ms(), 150'000U);
  ok(2, cmd::yield(), 110'000);
  EXPECT_EQ(ok(1, cmd::airtime(), 110'000).reply->floor().airtime().members(1).floor_ms(), 20'000U);
}

TEST_F(floor_test, clocks_can_stop_while_no_facilitator_is_present) {
  ok(1, cmd::timing(60'000, 0, v1::EXPIRY_ACTION_ADVANCE, /*pause_without_facilitator=*/true), 0);
  ok(1, cmd::grant(2), 0);
  auto fx = drop(1, 10'000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_PAUSED}));
  EXPECT_EQ(floor(10'000).paused(), v1::PAUSE_REASON_NO_FACILITATOR);
  EXPECT_EQ(room_.next_wake(), 25'000);  // only the facilitator's grace period
  fx = room_.join(50, person("f", v1::ROLE_FACILITATOR), 20'000);
  conn_of_[1] = 50;
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_RESUMED}));
  EXPECT_EQ(floor(20'000).turn().deadline_ms(), 70'000U);
  check();
}

TEST_F(floor_test, by_default_clocks_run_on_when_the_facilitator_drops) {
  ok(1, cmd::timing(60'000), 0);
  ok(1, cmd::grant(2), 0);
  drop(1, 10'000);
  EXPECT_EQ(kinds(wake(60'000)), (std::vector{v1::FLOOR_CHANGE_TURN_EXPIRED}));
  auto fx = room_.join(50, person("f", v1::ROLE_FACILITATOR), 61'000);
  ASSERT_TRUE(fx.reply && fx.reply->has_join());
  const auto snap = room_.snapshot(1, 61'000);
  EXPECT_FALSE(snap.floor().has_turn());  // the true state, not the one they left
  EXPECT_EQ(snap.airtime().members(1).floor_ms(), 60'000U);
}

TEST_F(floor_test, a_dropped_holder_loses_the_floor_but_a_dropped_hand_keeps_its_place) {
  ok(1, cmd::grant(2), 0);
  ok(3, cmd::raise(), 100);
  ok(4, cmd::raise(), 200);
  auto fx = drop(2, 1000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_HOLDER_LEFT}));
  EXPECT_FALSE(floor().has_turn());
  EXPECT_TRUE(kinds(drop(3, 2000)).empty());
  EXPECT_EQ(hands(floor()), (std::vector<member_id>{3, 4}));
  ok(1, cmd::grant(), 3000);  // passes over the reconnecting hand
  EXPECT_EQ(floor().turn().member_id(), 4U);
  room_.join(60, person("b", v1::ROLE_PARTICIPANT), 10'000);
  conn_of_[3] = 60;
  check();
  EXPECT_EQ(hands(floor()), (std::vector<member_id>{3}));
  EXPECT_EQ(floor().hands(0).raised_at_ms(), 100U);
}

TEST_F(floor_test, a_returning_hand_gets_a_free_open_floor) {
  ok(1, cmd::mode(v1::FLOOR_MODE_OPEN), 0);
  ok(1, cmd::grant(2), 100);
  ok(3, cmd::raise(), 200);
  drop(3, 300);
  ok(2, cmd::yield(), 400);  // 3 is away: the floor stays free
  EXPECT_FALSE(floor().has_turn());
  auto fx = room_.join(80, person("b", v1::ROLE_PARTICIPANT), 500);
  conn_of_[3] = 80;
  check();
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_GRANTED}));
  EXPECT_EQ(floor().turn().member_id(), 3U);
}

TEST_F(floor_test, departed_members_leave_the_queue) {
  ok(3, cmd::raise(), 100);
  ok(4, cmd::raise(), 200);
  drop(3, 1000);
  auto fx = wake(16'000);  // grace over
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_HAND_LOWERED}));
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  fx = room_.handle(conn_of_.at(4), leave, 17'000);
  check();
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_HAND_LOWERED}));
  EXPECT_TRUE(hands(floor()).empty());
}

TEST_F(floor_test, a_leaving_holder_frees_the_floor) {
  ok(1, cmd::grant(2), 0);
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  auto fx = room_.handle(conn_of_.at(2), leave, 5000);
  check();
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_HOLDER_LEFT}));
  EXPECT_FALSE(floor().has_turn());
}

TEST_F(floor_test, observers_neither_raise_nor_take) {
  const auto observer = join("o", v1::ROLE_OBSERVER);
  refused(observer, cmd::raise(), 0, v1::ERROR_CODE_PERMISSION_DENIED);
  ok(1, cmd::mode(v1::FLOOR_MODE_OPEN), 0);
  refused(observer, cmd::take(), 0, v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST_F(floor_test, airtime_reaches_facilitators_only) {
  refused(2, cmd::airtime(), 0, v1::ERROR_CODE_PERMISSION_DENIED);
  join("f2", v1::ROLE_CO_FACILITATOR);
  ok(1, cmd::grant(2), 0);
  auto fx = ok(2, cmd::yield(), 1000);
  std::vector<member_id> airtime_to;
  for (const auto& e : fx.events) {
    if (e.event.has_airtime()) {
      EXPECT_EQ(e.to.kind, audience_kind::direct);
      airtime_to.push_back(e.to.member);
    }
  }
  EXPECT_EQ(airtime_to, (std::vector<member_id>{1, 5}));
  EXPECT_FALSE(room_.snapshot(2, 0).has_airtime());
  EXPECT_TRUE(room_.snapshot(5, 0).has_airtime());
  EXPECT_EQ(room_.snapshot(5, 0).airtime().members(1).turns(), 1U);
}

}  // namespace
}  // namespace hearth::core::testing
