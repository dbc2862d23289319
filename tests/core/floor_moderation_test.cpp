// Moderation and the floor, with literal times: a floor mute ends the holder's
// turn and lowers the hand, refuses hands, takes and grants, and a round
// passes over a muted member; removal and a demotion let go of the floor the
// same way. The fixture checks the room's invariants after every step
// (including "no member muted for the floor holds it or is queued").
#include <gtest/gtest.h>

#include <vector>

#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

using floor_moderation_test = moderation_fixture;
using kinds_t = std::vector<v1::FloorChangeKind>;

std::vector<v1::TurnOutcome> outcomes(const v1::FloorState& state) {
  std::vector<v1::TurnOutcome> out;
  for (const auto& e : state.round().entries()) {
    out.push_back(e.outcome());
  }
  return out;
}

TEST_F(floor_moderation_test, muting_the_holder_ends_the_turn_and_the_next_hand_gets_the_floor) {
  cast();  // facilitator 1, participants 2, 3, 4
  ok(1, cmd::mode(v1::FLOOR_MODE_OPEN), 0);
  ok(2, cmd::take(), 1000);
  ok(3, cmd::raise(), 2000);
  ok(4, cmd::raise(), 2100);
  auto fx = moderate(1, mod::mute(2, /*chat=*/false, /*floor=*/true), 5000);
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"room:0:member_moderation", "room:0:floor",
                                                      "room:0:floor", "direct:1:airtime"}));
  EXPECT_EQ(kinds(fx), (kinds_t{v1::FLOOR_CHANGE_REVOKED, v1::FLOOR_CHANGE_GRANTED}));
  EXPECT_EQ(fx.events[1].event.floor().actor_member_id(), 1U);
  EXPECT_EQ(fx.events[1].event.floor().subject_member_id(), 2U);
  EXPECT_EQ(fx.events[2].event.floor().subject_member_id(), 3U);
  EXPECT_EQ(floor(5000).turn().member_id(), 3U);
  EXPECT_EQ(hands(floor(5000)), (std::vector<member_id>{4}));
  EXPECT_EQ(fx.events[3].event.airtime().members(1).floor_ms(), 4000U);

  // Muted: no hand, no take, no grant, no talking piece.
  refused(2, cmd::raise(), 6000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(2, cmd::take(), 6000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(1, cmd::grant(2), 6000, v1::ERROR_CODE_FAILED_PRECONDITION);
  ok(1, cmd::mode(v1::FLOOR_MODE_TALKING_PIECE), 6500);
  refused(3, cmd::piece(2), 7000, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(1, cmd::piece(2), 7000, v1::ERROR_CODE_FAILED_PRECONDITION);

  // Lifted: back to normal.
  moderate(1, mod::unmute(2, false, true), 8000);
  ok(2, cmd::raise(), 8500);
  ok(3, cmd::piece(2), 9000);
  EXPECT_EQ(floor(9000).turn().member_id(), 2U);
}

TEST_F(floor_moderation_test, a_floor_mute_lowers_the_hand_and_a_chat_mute_does_not) {
  cast();
  ok(2, cmd::raise(), 1000);
  ok(3, cmd::raise(), 1100);
  auto chat_only = moderate(1, mod::mute(3, true, false), 2000);
  EXPECT_TRUE(kinds(chat_only).empty());
  EXPECT_EQ(hands(floor()), (std::vector<member_id>{2, 3}));

  auto fx = moderate(1, mod::mute(2, false, true), 3000);
  EXPECT_EQ(kinds(fx), (kinds_t{v1::FLOOR_CHANGE_HAND_LOWERED}));
  EXPECT_EQ(fx.events[1].event.floor().actor_member_id(), 1U);
  EXPECT_EQ(fx.events[1].event.floor().subject_member_id(), 2U);
  EXPECT_EQ(hands(floor()), (std::vector<member_id>{3}));
  // A grant to the first hand skips nobody: the muted hand is gone.
  ok(1, cmd::grant(), 4000);
  EXPECT_EQ(floor().turn().member_id(), 3U);
}

TEST_F(floor_moderation_test, a_dropped_member_muted_for_the_floor_loses_their_hand) {
  cast();
  ok(2, cmd::raise(), 1000);
  drop(2, 2000);
  auto fx = moderate(1, mod::mute(2, false, true), 3000);
  EXPECT_EQ(kinds(fx), (kinds_t{v1::FLOOR_CHANGE_HAND_LOWERED}));
  EXPECT_TRUE(hands(floor()).empty());
}

TEST_F(floor_moderation_test, a_round_passes_over_a_muted_member_and_skips_a_muted_speaker) {
  cast();
  ok(1, cmd::round(), 1000);  // 2 speaks; 3 and 4 wait
  auto muted = moderate(1, mod::mute(3, false, true), 2000);
  EXPECT_TRUE(kinds(muted).empty());  // waiting in the round is not holding the floor
  EXPECT_EQ(outcomes(floor()),
            (std::vector<v1::TurnOutcome>{v1::TURN_OUTCOME_SPEAKING, v1::TURN_OUTCOME_PENDING,
                                          v1::TURN_OUTCOME_PENDING}));
  auto next = ok(2, cmd::yield(), 3000);
  EXPECT_EQ(kinds(next), (kinds_t{v1::FLOOR_CHANGE_YIELDED, v1::FLOOR_CHANGE_TURN_STARTED}));
  EXPECT_EQ(floor().turn().member_id(), 4U);
  EXPECT_EQ(outcomes(floor()),
            (std::vector<v1::TurnOutcome>{v1::TURN_OUTCOME_SPOKE, v1::TURN_OUTCOME_SKIPPED,
                                          v1::TURN_OUTCOME_SPEAKING}));

  // Muting the speaker skips their turn; the round has nobody left and ends.
  auto fx = moderate(1, mod::mute(4), 4000);
  EXPECT_EQ(kinds(fx), (kinds_t{v1::FLOOR_CHANGE_TURN_SKIPPED, v1::FLOOR_CHANGE_ROUND_ENDED}));
  EXPECT_EQ(fx.events[1].event.floor().actor_member_id(), 1U);
  EXPECT_EQ(fx.events[1].event.floor().subject_member_id(), 4U);
  const v1::RoundSummary* summary = nullptr;
  for (const auto& e : fx.events) {
    if (e.event.has_round_summary()) {
      summary = &e.event.round_summary();
    }
  }
  ASSERT_NE(summary, nullptr);
  ASSERT_EQ(summary->entries_size(), 3);
  EXPECT_EQ(summary->entries(1).outcome(), v1::TURN_OUTCOME_SKIPPED);
  EXPECT_EQ(summary->entries(2).outcome(), v1::TURN_OUTCOME_SKIPPED);
  EXPECT_EQ(summary->entries(2).duration_ms(), 1000U);
  EXPECT_FALSE(floor().has_round());
}

TEST_F(floor_moderation_test, a_member_unmuted_before_their_turn_gets_it) {
  cast();
  ok(1, cmd::round(), 1000);
  moderate(1, mod::mute(3, false, true), 1500);
  moderate(1, mod::unmute(3, false, true), 2000);
  ok(2, cmd::pass(), 3000);
  EXPECT_EQ(floor().turn().member_id(), 3U);
}

TEST_F(floor_moderation_test, mute_all_leaves_a_facilitator_holding_the_floor) {
  cast();
  ok(1, cmd::grant(1), 1000);
  ok(2, cmd::raise(), 1100);
  auto fx = moderate(1, mod::mute_all(false, true), 2000);
  EXPECT_EQ(kinds(fx), (kinds_t{v1::FLOOR_CHANGE_HAND_LOWERED}));
  EXPECT_EQ(floor().turn().member_id(), 1U);
  refused(3, cmd::raise(), 3000, v1::ERROR_CODE_PERMISSION_DENIED);
  // UnmuteSelf needs the permission, which this MuteAll did not give.
  denied(3, mod::unmute_self(), 3000, "unmute", "b");
}

TEST_F(floor_moderation_test, removing_the_holder_frees_the_floor) {
  cast();
  ok(1, cmd::grant(2), 1000);
  auto fx = moderate(1, mod::remove(2), 3000);
  EXPECT_EQ(kinds(fx), (kinds_t{v1::FLOOR_CHANGE_HOLDER_LEFT}));
  EXPECT_FALSE(floor().has_turn());
}

TEST_F(floor_moderation_test, demoting_a_promoted_observer_who_holds_the_floor_ends_the_turn) {
  cast();
  const member_id o = join("o", v1::ROLE_OBSERVER);
  moderate(1, mod::set_role(o, v1::ROLE_CO_FACILITATOR), 1000);
  ok(o, cmd::raise(), 1500);
  ok(1, cmd::grant(o), 2000);
  auto fx = moderate(1, mod::set_role(o, v1::ROLE_OBSERVER), 3000);
  EXPECT_EQ(kinds(fx), (kinds_t{v1::FLOOR_CHANGE_REVOKED}));
  EXPECT_FALSE(floor().has_turn());
  EXPECT_EQ(who(o).who.role, v1::ROLE_OBSERVER);
}

TEST_F(floor_moderation_test, a_promotion_counts_for_the_pause_without_a_facilitator) {
  cast();
  ok(1, cmd::timing(60'000, 0, v1::EXPIRY_ACTION_ADVANCE, /*pause_without_facilitator=*/true), 0);
  ok(1, cmd::grant(2), 1000);
  moderate(1, mod::set_role(3, v1::ROLE_CO_FACILITATOR), 1500);
  auto gone = drop(1, 2000);
  EXPECT_TRUE(kinds(gone).empty());  // the co-facilitator keeps the clocks running
  auto no_staff = drop(3, 2500);
  EXPECT_EQ(kinds(no_staff), (kinds_t{v1::FLOOR_CHANGE_PAUSED}));
}

}  // namespace
}  // namespace hearth::core::testing
