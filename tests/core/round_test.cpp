// Go-around rounds with literal times: order, pass, done, expiry, skip,
// extend, pause, reorder, late joiners, absence and the summary.
#include "floor_fixture.hpp"

namespace hearth::core::testing {
namespace {

class round_test : public floor_fixture {
 protected:
  round_test() { cast(); }

  std::vector<std::pair<member_id, v1::TurnOutcome>> entries(time_ms now = 0) const {
    std::vector<std::pair<member_id, v1::TurnOutcome>> out;
    const auto state = floor(now);
    for (const auto& e : state.round().entries()) {
      out.emplace_back(e.member_id(), e.outcome());
    }
    return out;
  }

  // The summary sent to facilitator `to`, if `fx` has one.
  static std::optional<v1::RoundSummary> summary_for(const effects& fx, member_id to) {
    for (const auto& e : fx.events) {
      if (e.event.has_round_summary()) {
        EXPECT_EQ(e.to.kind, audience_kind::direct);
        if (e.to.member == to) {
          return e.event.round_summary();
        }
      }
    }
    return std::nullopt;
  }
};

using v1::TURN_OUTCOME_ABSENT;
using v1::TURN_OUTCOME_NOT_REACHED;
using v1::TURN_OUTCOME_PASSED;
using v1::TURN_OUTCOME_PENDING;
using v1::TURN_OUTCOME_SKIPPED;
using v1::TURN_OUTCOME_SPEAKING;
using v1::TURN_OUTCOME_SPOKE;

TEST_F(round_test, goes_around_participants_in_roster_order) {
  join("o", v1::ROLE_OBSERVER);
  join("fam", v1::ROLE_FAMILY_MEMBER);
  auto fx = ok(1, cmd::round(90'000, 15'000), 1000);
  EXPECT_EQ(kinds(fx),
            (std::vector{v1::FLOOR_CHANGE_ROUND_STARTED, v1::FLOOR_CHANGE_TURN_STARTED}));
  const auto state = floor(1000);
  EXPECT_EQ(state.mode(), v1::FLOOR_MODE_ROUND);
  EXPECT_EQ(state.round().round_id(), 1U);
  EXPECT_EQ(state.round().label(), "Check-in");
  EXPECT_EQ(entries(),
            (std::vector<std::pair<member_id, v1::TurnOutcome>>{{2, TURN_OUTCOME_SPEAKING},
                                                                {3, TURN_OUTCOME_PENDING},
                                                                {4, TURN_OUTCOME_PENDING},
                                                                {6, TURN_OUTCOME_PENDING}}));
  EXPECT_EQ(state.turn().member_id(), 2U);
  EXPECT_EQ(state.turn().deadline_ms(), 91'000U);
  EXPECT_EQ(state.turn().warning_at_ms(), 76'000U);
}

TEST_F(round_test, pass_done_and_expiry_run_to_a_summary_for_facilitators_only) {
  ok(1, cmd::round(60'000), 0);
  auto fx = ok(2, cmd::pass(), 5000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_TURN_PASSED, v1::FLOOR_CHANGE_TURN_STARTED}));
  EXPECT_EQ(floor(5000).turn().deadline_ms(), 65'000U);
  fx = ok(3, cmd::yield(), 25'000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_YIELDED, v1::FLOOR_CHANGE_TURN_STARTED}));
  EXPECT_EQ(room_.next_wake(), 85'000);
  fx = wake(85'000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_TURN_EXPIRED, v1::FLOOR_CHANGE_ROUND_ENDED}));
  EXPECT_EQ(floor().mode(), v1::FLOOR_MODE_MODERATED);  // back to the mode before the round
  EXPECT_FALSE(floor().has_round());
  EXPECT_FALSE(floor().has_turn());
  for (const auto& e : fx.events) {
    if (e.event.has_round_summary() || e.event.has_airtime()) {
      EXPECT_EQ(e.to.member, 1U) << "only the facilitator hears about durations";
    }
  }
  const auto summary = summary_for(fx, 1);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->reason(), v1::ROUND_END_REASON_COMPLETED);
  EXPECT_EQ(summary->started_at_ms(), 0U);
  EXPECT_EQ(summary->ended_at_ms(), 85'000U);
  ASSERT_EQ(summary->entries_size(), 3);
  EXPECT_EQ(summary->entries(0).outcome(), TURN_OUTCOME_PASSED);
  EXPECT_EQ(summary->entries(0).duration_ms(), 5000U);
  EXPECT_EQ(summary->entries(1).outcome(), TURN_OUTCOME_SPOKE);
  EXPECT_EQ(summary->entries(1).duration_ms(), 20'000U);
  EXPECT_EQ(summary->entries(2).outcome(), TURN_OUTCOME_SPOKE);
  EXPECT_EQ(summary->entries(2).duration_ms(), 60'000U);
}

TEST_F(round_test, only_the_current_speaker_passes_and_only_facilitators_steer) {
  ok(1, cmd::round(), 0);
  refused(3, cmd::pass(), 100, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(3, cmd::yield(), 100, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(2, cmd::skip(), 100, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(2, cmd::end_round(), 100, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(2, cmd::reorder({4, 3}), 100, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(2, cmd::round(), 100, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(1, cmd::round(), 100, v1::ERROR_CODE_FAILED_PRECONDITION);  // one at a time
  refused(1, cmd::grant(3), 100, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(3, cmd::take(), 100, v1::ERROR_CODE_FAILED_PRECONDITION);
  ok(3, cmd::raise(), 100);  // hands still queue for after the round
  EXPECT_EQ(hands(floor()), (std::vector<member_id>{3}));
}

TEST_F(round_test, skip_and_revoke_move_on_with_different_outcomes) {
  ok(1, cmd::round(), 0);
  auto fx = ok(1, cmd::skip(), 1000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_TURN_SKIPPED, v1::FLOOR_CHANGE_TURN_STARTED}));
  fx = ok(1, cmd::revoke(), 3000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_REVOKED, v1::FLOOR_CHANGE_TURN_STARTED}));
  EXPECT_EQ(entries(),
            (std::vector<std::pair<member_id, v1::TurnOutcome>>{
                {2, TURN_OUTCOME_SKIPPED}, {3, TURN_OUTCOME_SPOKE}, {4, TURN_OUTCOME_SPEAKING}}));
}

TEST_F(round_test, notify_on_expiry_waits_for_the_facilitator) {
  ok(1, cmd::round(30'000, 0, v1::EXPIRY_ACTION_NOTIFY), 0);
  auto fx = wake(30'000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_TURN_EXPIRED}));
  EXPECT_TRUE(floor(30'000).turn().overdue());
  EXPECT_EQ(floor().turn().member_id(), 2U);
  ok(1, cmd::revoke(), 40'000);
  EXPECT_EQ(floor().turn().member_id(), 3U);
}

TEST_F(round_test, extend_and_pause_shift_the_deadline) {
  ok(1, cmd::round(60'000, 10'000), 0);
  ok(1, cmd::extend(30'000), 20'000);
  EXPECT_EQ(floor(20'000).turn().deadline_ms(), 90'000U);
  ok(1, cmd::pause(), 30'000);
  EXPECT_TRUE(wake(200'000).events.empty());  // nothing expires while paused
  ok(1, cmd::resume(), 230'000);
  EXPECT_EQ(floor(230'000).turn().deadline_ms(), 290'000U);
  EXPECT_EQ(room_.next_wake(), 280'000);
  ok(2, cmd::yield(), 240'000);
  const auto fx = ok(1, cmd::end_round(), 250'000);
  const auto summary = summary_for(fx, 1);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->entries(0).duration_ms(), 40'000U);  // 30 s before the pause, 10 s after
}

TEST_F(round_test, a_turn_that_starts_during_a_pause_waits_for_resume) {
  ok(1, cmd::round(60'000), 0);
  ok(1, cmd::pause(), 1000);
  ok(2, cmd::pass(), 2000);
  const auto turn = floor(2000).turn();
  EXPECT_EQ(turn.member_id(), 3U);
  EXPECT_EQ(turn.deadline_ms(), 0U);
  EXPECT_EQ(turn.remaining_ms(), 60'000);
  ok(1, cmd::resume(), 10'000);
  EXPECT_EQ(floor(10'000).turn().deadline_ms(), 70'000U);
}

TEST_F(round_test, reorder_rearranges_only_the_waiting_members) {
  ok(1, cmd::round(), 0);
  refused(1, cmd::reorder({4}), 100, v1::ERROR_CODE_BAD_REQUEST);        // 3 missing
  refused(1, cmd::reorder({4, 3, 3}), 100, v1::ERROR_CODE_BAD_REQUEST);  // 3 twice
  refused(1, cmd::reorder({4, 3, 2}), 100, v1::ERROR_CODE_BAD_REQUEST);  // 2 is speaking
  auto fx = ok(1, cmd::reorder({4, 3}), 100);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_ROUND_REORDERED}));
  ok(2, cmd::yield(), 200);
  EXPECT_EQ(floor().turn().member_id(), 4U);
  refused(1, cmd::reorder({}), 300, v1::ERROR_CODE_BAD_REQUEST);
}

TEST_F(round_test, late_joiners_are_appended_or_left_out) {
  ok(1, cmd::round(), 0);
  join("d", v1::ROLE_PARTICIPANT, 100);
  EXPECT_EQ(entries().back(), (std::pair<member_id, v1::TurnOutcome>{5, TURN_OUTCOME_PENDING}));
  join("o", v1::ROLE_OBSERVER, 150);  // observers are never appended
  EXPECT_EQ(entries().size(), 4U);
  ok(1, cmd::end_round(), 200);
  ok(1, cmd::round(0, 0, v1::EXPIRY_ACTION_ADVANCE, v1::LATE_JOINERS_LEAVE_OUT), 300);
  join("e", v1::ROLE_PARTICIPANT, 400);
  EXPECT_EQ(entries().size(), 4U);
}

TEST_F(round_test, absent_members_are_passed_over_and_a_dropped_speaker_is_absent) {
  ok(1, cmd::round(), 0);
  drop(3, 500);
  auto fx = drop(2, 1000);  // the speaker drops
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_HOLDER_LEFT, v1::FLOOR_CHANGE_TURN_STARTED}));
  EXPECT_EQ(entries(),
            (std::vector<std::pair<member_id, v1::TurnOutcome>>{
                {2, TURN_OUTCOME_ABSENT}, {3, TURN_OUTCOME_ABSENT}, {4, TURN_OUTCOME_SPEAKING}}));
  // Coming back does not reopen a turn that is over, nor append them again.
  room_.join(70, person("a", v1::ROLE_PARTICIPANT), 2000);
  conn_of_[2] = 70;
  check();
  EXPECT_EQ(entries().size(), 3U);
}

TEST_F(round_test, a_member_who_left_and_rejoined_keeps_their_place) {
  ok(1, cmd::round(), 0);
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  room_.handle(conn_of_.at(4), leave, 100);
  room_.join(71, person("c", v1::ROLE_PARTICIPANT), 200);
  conn_of_[4] = 71;
  check();
  EXPECT_EQ(entries().size(), 3U);
  ok(2, cmd::pass(), 300);
  ok(3, cmd::pass(), 400);
  EXPECT_EQ(floor().turn().member_id(), 4U);
}

TEST_F(round_test, ending_early_marks_who_was_not_reached) {
  ok(1, cmd::round(), 0);
  ok(2, cmd::pass(), 1000);
  auto fx = ok(1, cmd::end_round(), 4000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_ROUND_ENDED}));
  const auto summary = summary_for(fx, 1);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->reason(), v1::ROUND_END_REASON_ENDED);
  EXPECT_EQ(summary->entries(1).outcome(), TURN_OUTCOME_SPOKE);
  EXPECT_EQ(summary->entries(1).duration_ms(), 3000U);
  EXPECT_EQ(summary->entries(2).outcome(), TURN_OUTCOME_NOT_REACHED);
  EXPECT_TRUE(ok(1, cmd::end_round(), 5000).events.empty());  // already over
}

TEST_F(round_test, switching_mode_ends_the_round) {
  ok(1, cmd::round(), 0);
  auto fx = ok(1, cmd::mode(v1::FLOOR_MODE_OPEN), 1000);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_ROUND_ENDED, v1::FLOOR_CHANGE_MODE}));
  EXPECT_EQ(summary_for(fx, 1)->reason(), v1::ROUND_END_REASON_MODE_CHANGED);
  EXPECT_EQ(floor().mode(), v1::FLOOR_MODE_OPEN);
}

TEST_F(round_test, custom_order_is_checked) {
  const auto observer = join("o", v1::ROLE_OBSERVER);
  refused(1, cmd::custom_round({2, 2}), 0, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, cmd::custom_round({2, observer}), 0, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(1, cmd::custom_round({2, 99}), 0, v1::ERROR_CODE_NOT_FOUND);
  refused(1, cmd::custom_round({}), 0, v1::ERROR_CODE_FAILED_PRECONDITION);
  ok(1, cmd::custom_round({1, 4, 2}), 0);  // a facilitator may check in first
  EXPECT_EQ(floor().turn().member_id(), 1U);
  EXPECT_EQ(entries().size(), 3U);
}

TEST_F(round_test, a_shuffled_order_is_reproducible_from_its_seed) {
  join("d", v1::ROLE_PARTICIPANT);
  join("e", v1::ROLE_PARTICIPANT);
  auto start = cmd::round();
  start.mutable_start_round()->set_order(v1::ROUND_ORDER_SHUFFLED);
  start.mutable_start_round()->set_shuffle_seed(42);
  ok(1, start, 0);
  EXPECT_EQ(floor().round().shuffle_seed(), 42U);
  std::vector<member_id> order;
  for (const auto& [m, outcome] : entries()) {
    order.push_back(m);
  }
  // SplitMix64 + Fisher-Yates as documented in docs/protocol.md, computed independently.
  EXPECT_EQ(order, (std::vector<member_id>{3, 4, 2, 6, 5}));
  ok(1, cmd::end_round(), 100);
  start.mutable_start_round()->set_shuffle_seed(7);
  ok(1, start, 200);
  order.clear();
  for (const auto& [m, outcome] : entries()) {
    order.push_back(m);
  }
  EXPECT_EQ(order, (std::vector<member_id>{6, 3, 5, 2, 4}));
  EXPECT_EQ(floor().round().round_id(), 2U);
}

TEST_F(round_test, start_is_validated) {
  auto bad = cmd::round(10'000, 20'000);
  refused(1, bad, 0, v1::ERROR_CODE_BAD_REQUEST);
  bad = cmd::round();
  bad.mutable_start_round()->set_label(std::string(101, 'x'));
  refused(1, bad, 0, v1::ERROR_CODE_LIMIT_EXCEEDED);
  bad = cmd::round();
  bad.mutable_start_round()->set_order(static_cast<v1::RoundOrder>(17));
  refused(1, bad, 0, v1::ERROR_CODE_BAD_REQUEST);
}

TEST_F(round_test, nobody_to_go_around_is_refused) {
  floor_fixture::room_ = room("r1", limits());
  conn_of_.clear();
  join("f", v1::ROLE_FACILITATOR);
  refused(1, cmd::round(), 0, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(round_test, round_turns_count_as_airtime_but_a_pass_is_no_turn) {
  ok(1, cmd::round(), 0);
  ok(2, cmd::yield(), 7000);
  ok(3, cmd::pass(), 9000);
  const auto report = ok(1, cmd::airtime(), 10'000).reply->floor().airtime();
  EXPECT_EQ(report.members(1).member_id(), 2U);
  EXPECT_EQ(report.members(1).floor_ms(), 7000U);
  EXPECT_EQ(report.members(1).turns(), 1U);
  EXPECT_EQ(report.members(2).floor_ms(), 2000U);
  EXPECT_EQ(report.members(2).turns(), 0U);
  EXPECT_EQ(report.members(3).floor_ms(), 1000U);  // speaking since 9000
  EXPECT_EQ(report.members(3).turns(), 0U);        // not finished yet
}

TEST_F(round_test, switching_from_a_round_to_moderated_grants_nobody) {
  ok(1, cmd::mode(v1::FLOOR_MODE_OPEN), 0);
  ok(1, cmd::round(), 100);
  ok(4, cmd::raise(), 200);
  auto fx = ok(1, cmd::mode(v1::FLOOR_MODE_MODERATED), 300);
  EXPECT_EQ(kinds(fx), (std::vector{v1::FLOOR_CHANGE_ROUND_ENDED, v1::FLOOR_CHANGE_MODE}));
  EXPECT_FALSE(floor().has_turn());
  EXPECT_EQ(hands(floor()), (std::vector<member_id>{4}));
}

}  // namespace
}  // namespace hearth::core::testing
