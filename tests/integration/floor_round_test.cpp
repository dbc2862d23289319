// A round over real sockets: a pass, an expiry and a done, with the summary
// and the airtime reports reaching facilitators only.
#include "floor_flow.hpp"

namespace hearth::testing {
namespace {

TEST_F(floor_flow, a_round_goes_around_with_a_pass_an_expiry_and_a_done) {
  // Long enough that a pass or a done always comes before the budget runs out,
  // even on a loaded machine; the middle turn waits for it to run out.
  constexpr std::uint32_t budget = 1000;
  ASSERT_TRUE(ok(fac_, cmd::start_round(budget, "Check-in")));
  auto started = everyone_sees(v1::FLOOR_CHANGE_ROUND_STARTED);
  ASSERT_TRUE(started);
  {
    const auto& state = started->floor().state();
    EXPECT_EQ(state.mode(), v1::FLOOR_MODE_ROUND);
    ASSERT_TRUE(state.has_round());
    EXPECT_EQ(state.round().round_id(), 1U);
    EXPECT_EQ(state.round().label(), "Check-in");
    EXPECT_EQ(state.round().order(), v1::ROUND_ORDER_ROSTER);
    EXPECT_EQ(state.round().timing().budget_ms(), budget);
    EXPECT_EQ(state.round().started_at_ms(), started->server_time_ms());
    EXPECT_EQ(entries(state), (std::vector<std::pair<std::uint32_t, v1::TurnOutcome>>{
                                  {p_[0].id, v1::TURN_OUTCOME_PENDING},
                                  {p_[1].id, v1::TURN_OUTCOME_PENDING},
                                  {p_[2].id, v1::TURN_OUTCOME_PENDING}}));
  }

  // Checks a TURN_STARTED for `p`: the same absolute deadline for everyone.
  auto turn_of = [&](const peer& p) -> std::optional<v1::Event> {
    auto e = everyone_sees(v1::FLOOR_CHANGE_TURN_STARTED);
    if (!e) {
      return std::nullopt;
    }
    const auto& turn = e->floor().state().turn();
    EXPECT_EQ(e->floor().subject_member_id(), p.id);
    EXPECT_EQ(turn.member_id(), p.id);
    EXPECT_EQ(turn.budget_ms(), budget);
    EXPECT_EQ(turn.started_at_ms(), e->server_time_ms());
    EXPECT_EQ(turn.deadline_ms(), e->server_time_ms() + budget);
    EXPECT_EQ(turn.warning_at_ms(), 0U);
    return e;
  };

  // Alex passes.
  ASSERT_TRUE(turn_of(p_[0]));
  ASSERT_TRUE(ok(p_[0], cmd::pass()));
  auto passed = everyone_sees(v1::FLOOR_CHANGE_TURN_PASSED);
  ASSERT_TRUE(passed);
  EXPECT_EQ(passed->floor().actor_member_id(), p_[0].id);
  EXPECT_EQ(passed->floor().subject_member_id(), p_[0].id);
  EXPECT_EQ(entries(passed->floor().state())[0].second, v1::TURN_OUTCOME_PASSED);

  // Sam says nothing: the server ends the turn at its deadline by itself.
  auto sams_turn = turn_of(p_[1]);
  ASSERT_TRUE(sams_turn);
  auto expired = everyone_sees(v1::FLOOR_CHANGE_TURN_EXPIRED);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->floor().actor_member_id(), 0U);
  EXPECT_EQ(expired->floor().subject_member_id(), p_[1].id);
  EXPECT_GE(expired->server_time_ms(), sams_turn->floor().state().turn().deadline_ms());
  EXPECT_EQ(entries(expired->floor().state())[1].second, v1::TURN_OUTCOME_SPOKE);

  // Kim says done: the round is complete.
  ASSERT_TRUE(turn_of(p_[2]));
  ASSERT_TRUE(ok(p_[2], cmd::yield()));
  auto yielded = everyone_sees(v1::FLOOR_CHANGE_YIELDED);
  ASSERT_TRUE(yielded);
  EXPECT_EQ(yielded->floor().subject_member_id(), p_[2].id);
  auto ended = everyone_sees(v1::FLOOR_CHANGE_ROUND_ENDED);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->floor().actor_member_id(), 0U);
  EXPECT_EQ(ended->floor().state().mode(), v1::FLOOR_MODE_MODERATED);
  EXPECT_FALSE(ended->floor().state().has_round());
  EXPECT_FALSE(ended->floor().state().has_turn());

  marker("after the round");
  std::vector<v1::RoundSummary> summaries;
  std::optional<v1::AirtimeReport> airtime;
  for (const auto& e : direct_events(fac_)) {
    EXPECT_EQ(e.seq(), 0U);
    if (e.has_round_summary()) {
      summaries.push_back(e.round_summary());
    } else if (e.has_airtime()) {
      airtime = e.airtime();
    }
  }
  ASSERT_EQ(summaries.size(), 1U) << "one summary on the facilitator's direct stream";
  const auto& summary = summaries[0];
  EXPECT_EQ(summary.round_id(), 1U);
  EXPECT_EQ(summary.label(), "Check-in");
  EXPECT_EQ(summary.order(), v1::ROUND_ORDER_ROSTER);
  EXPECT_EQ(summary.reason(), v1::ROUND_END_REASON_COMPLETED);
  EXPECT_EQ(summary.started_at_ms(), started->server_time_ms());
  EXPECT_EQ(summary.ended_at_ms(), ended->server_time_ms());
  ASSERT_EQ(summary.entries_size(), 3);
  EXPECT_EQ(summary.entries(0).member_id(), p_[0].id);
  EXPECT_EQ(summary.entries(0).outcome(), v1::TURN_OUTCOME_PASSED);
  EXPECT_EQ(summary.entries(1).member_id(), p_[1].id);
  EXPECT_EQ(summary.entries(1).outcome(), v1::TURN_OUTCOME_SPOKE);
  EXPECT_GE(summary.entries(1).duration_ms(), budget);
  EXPECT_EQ(summary.entries(2).member_id(), p_[2].id);
  EXPECT_EQ(summary.entries(2).outcome(), v1::TURN_OUTCOME_SPOKE);

  // The last airtime report lists everyone in the round; Sam and Kim spoke
  // (Sam for the whole budget). Whether a pass counts as a turn is left open.
  ASSERT_TRUE(airtime);
  std::vector<std::uint32_t> listed;
  for (const auto& a : airtime->members()) {
    listed.push_back(a.member_id());
    if (a.member_id() == p_[1].id) {
      EXPECT_EQ(a.turns(), 1U);
      EXPECT_GE(a.floor_ms(), budget);
    } else if (a.member_id() == p_[2].id) {
      EXPECT_EQ(a.turns(), 1U);
    }
  }
  for (const peer& p : p_) {
    EXPECT_EQ(std::count(listed.begin(), listed.end(), p.id), 1) << p.name;
  }
  expect_nothing_direct_for_participants();
}

// The server's own rule (floor_control::check_invariants): "the floor holder is
// also in the hand queue" must never hold. A round turn given to a member whose
// hand is up has to keep that rule like a grant does.
TEST_F(floor_flow, a_round_turn_does_not_leave_the_speaker_in_the_hand_queue) {
  ASSERT_TRUE(ok(p_[0], cmd::raise()));
  ASSERT_TRUE(everyone_sees(v1::FLOOR_CHANGE_HAND_RAISED));
  ASSERT_TRUE(ok(fac_, cmd::start_round(0, "Hands up")));
  ASSERT_TRUE(everyone_sees(v1::FLOOR_CHANGE_ROUND_STARTED));
  auto turn = everyone_sees(v1::FLOOR_CHANGE_TURN_STARTED);
  ASSERT_TRUE(turn);
  const auto& state = turn->floor().state();
  ASSERT_EQ(state.turn().member_id(), p_[0].id);
  const auto queued = hands(state);
  EXPECT_EQ(std::count(queued.begin(), queued.end(), p_[0].id), 0)
      << "the speaker holds the round turn and is still in the hand queue: "
      << state.ShortDebugString();
}

}  // namespace
}  // namespace hearth::testing
