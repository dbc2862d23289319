// Moderation with literal times: mutes and what they refuse, mute all with and
// without self-unmute, removal, the lock, ending the session, deleting a chat
// message, promoting and demoting a co-facilitator, and the audit notes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

using moderation_test = moderation_fixture;

TEST_F(moderation_test, a_chat_mute_refuses_room_chat_but_not_a_word_to_the_staff) {
  staff_and_group();
  auto fx = moderate(1, mod::mute(3, /*chat=*/true, /*floor=*/false), 10'000);
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"room:0:member_moderation"}));
  const auto& state = fx.events[0].event.member_moderation();
  EXPECT_EQ(state.member_id(), 3U);
  EXPECT_TRUE(state.chat_muted());
  EXPECT_FALSE(state.floor_muted());
  EXPECT_FALSE(state.may_unmute_self());
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].actor, "f");
  EXPECT_EQ(fx.audit[0].actor_role, v1::ROLE_FACILITATOR);
  EXPECT_EQ(fx.audit[0].action, "mute");
  EXPECT_EQ(fx.audit[0].target, "a");
  EXPECT_EQ(fx.audit[0].outcome, "ok");
  EXPECT_EQ(fx.audit[0].detail, "chat");
  EXPECT_EQ(fx.audit[0].at, 10'000);

  // Everyone's snapshot shows it.
  const auto snap = room_.snapshot(4, 10'000);
  EXPECT_TRUE(snap.members(2).chat_muted());
  EXPECT_FALSE(snap.members(2).floor_muted());

  refused(3, mod::chat("let me speak"), 11'000, v1::ERROR_CODE_PERMISSION_DENIED);
  // The staff can always be reached, in either private scope.
  EXPECT_TRUE(run(3, private_chat(1, "please"), 11'000).reply->has_chat());
  EXPECT_TRUE(
      run(3, private_chat(0, "please", 0, v1::CHAT_SCOPE_FACILITATORS), 11'000).reply->has_chat());
  // Typing from someone who may not write to the room shows nothing.
  v1::ClientMessage typing;
  typing.mutable_typing()->set_active(true);
  EXPECT_TRUE(run(3, typing, 11'000).events.empty());
  // The floor is untouched by a chat mute.
  EXPECT_TRUE(send(3, cmd::raise(), 11'500).reply->has_floor());

  // Muting again changes nothing, and says so in the audit trail.
  auto again = moderate(2, mod::mute(3, true, false), 12'000);
  EXPECT_TRUE(again.events.empty());
  ASSERT_EQ(again.audit.size(), 1U);
  EXPECT_EQ(again.audit[0].detail, "chat no_change");
  EXPECT_EQ(again.audit[0].actor_role, v1::ROLE_CO_FACILITATOR);

  auto lifted = moderate(2, mod::unmute(3), 13'000);
  EXPECT_EQ(deliveries(lifted), (std::vector<std::string>{"room:0:member_moderation"}));
  EXPECT_FALSE(lifted.events[0].event.member_moderation().chat_muted());
  EXPECT_EQ(lifted.audit.at(0).action, "unmute");
  EXPECT_EQ(lifted.audit.at(0).detail, "chat,floor");
  EXPECT_NE(say(3, "thank you", 14'000), 0U);
}

TEST_F(moderation_test, arguments_and_targets_are_checked_before_anything_changes) {
  staff_and_group();
  auto check = [&](const v1::ClientMessage& m, v1::ErrorCode code) {
    refused(1, m, 10'000, code);  // neither an event nor an audit note
  };
  check(mod::mute(3, false, false), v1::ERROR_CODE_BAD_REQUEST);
  check(mod::unmute(3, false, false), v1::ERROR_CODE_BAD_REQUEST);
  check(mod::mute_all(false, false), v1::ERROR_CODE_BAD_REQUEST);
  check(mod::set_role(3, static_cast<v1::Role>(42)), v1::ERROR_CODE_BAD_REQUEST);
  check(mod::set_role(3, v1::ROLE_OBSERVER), v1::ERROR_CODE_BAD_REQUEST);
  check(mod::set_role(3, v1::ROLE_FACILITATOR), v1::ERROR_CODE_BAD_REQUEST);
  check(mod::wrap(v1::Moderation{}), v1::ERROR_CODE_BAD_REQUEST);
  check(mod::mute(0), v1::ERROR_CODE_NOT_FOUND);
  check(mod::mute(99), v1::ERROR_CODE_NOT_FOUND);
  check(mod::remove(99), v1::ERROR_CODE_NOT_FOUND);
  check(mod::delete_chat(0), v1::ERROR_CODE_NOT_FOUND);
  check(mod::delete_chat(3), v1::ERROR_CODE_NOT_FOUND);  // a join, not a chat
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  run(4, leave, 10'500);
  check(mod::mute(4), v1::ERROR_CODE_NOT_FOUND);  // left the room
}

TEST_F(moderation_test, mute_all_spares_staff_and_observers_and_may_allow_self_unmute) {
  staff_and_group();
  moderate(1, mod::mute(4, true, false), 9000);  // a mute of its own, not liftable by 4
  auto fx = moderate(1, mod::mute_all(true, true, /*self_unmute=*/true), 10'000);
  std::vector<member_id> muted;
  for (const auto& e : fx.events) {
    if (e.event.has_member_moderation()) {
      muted.push_back(e.event.member_moderation().member_id());
    }
  }
  EXPECT_EQ(muted, (std::vector<member_id>{3, 4, 5}));
  EXPECT_TRUE(who(3).may_unmute_self);
  EXPECT_FALSE(who(4).may_unmute_self);
  EXPECT_TRUE(who(4).chat_muted && who(4).floor_muted);
  EXPECT_TRUE(who(5).may_unmute_self);
  EXPECT_FALSE(who(1).chat_muted || who(2).chat_muted || who(6).chat_muted);
  EXPECT_EQ(fx.audit.at(0).action, "mute_all");
  EXPECT_EQ(fx.audit.at(0).target, "");
  EXPECT_EQ(fx.audit.at(0).detail, "chat,floor self_unmute members=3");

  // 3 may lift their own; 4 may not.
  auto self = moderate(3, mod::unmute_self(), 11'000);
  EXPECT_EQ(deliveries(self), (std::vector<std::string>{"room:0:member_moderation"}));
  EXPECT_FALSE(who(3).chat_muted || who(3).floor_muted || who(3).may_unmute_self);
  EXPECT_EQ(self.audit.at(0).action, "unmute");
  EXPECT_EQ(self.audit.at(0).actor, "a");
  EXPECT_EQ(self.audit.at(0).target, "a");
  EXPECT_EQ(self.audit.at(0).detail, "self");
  denied(4, mod::unmute_self(), 11'000, "unmute", "b");
  // Not muted: a success that changes and records nothing.
  auto nothing = moderate(3, mod::unmute_self(), 11'500);
  EXPECT_TRUE(nothing.events.empty());
  EXPECT_TRUE(nothing.audit.empty());

  // Without the permission, nobody lifts their own.
  moderate(1, mod::mute_all(true, false), 12'000);
  denied(3, mod::unmute_self(), 12'500, "unmute", "a");

  auto all = moderate(2, mod::unmute_all(), 13'000);
  EXPECT_EQ(all.audit.at(0).detail, "members=3");
  for (member_id m = 1; m <= 6; ++m) {
    EXPECT_FALSE(who(m).chat_muted || who(m).floor_muted || who(m).may_unmute_self) << m;
  }
  EXPECT_EQ(moderate(2, mod::unmute_all(), 13'500).audit.at(0).detail, "members=0 no_change");
}

TEST_F(moderation_test, removal_closes_the_connection_and_the_member_may_come_back) {
  staff_and_group();
  moderate(1, mod::mute(3, true, false), 5000);
  send(3, cmd::raise(), 6000);
  auto fx = moderate(1, mod::remove(3), 10'000);
  ASSERT_EQ(fx.closes.size(), 1U);
  EXPECT_EQ(fx.closes[0].connection, conn_of_.at(3));
  EXPECT_EQ(fx.closes[0].code, v1::CLOSE_CODE_REMOVED);
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"room:0:member_left", "room:0:floor"}));
  EXPECT_EQ(fx.events[0].event.member_left().reason(), v1::LEAVE_REASON_REMOVED);
  EXPECT_EQ(fx.events[1].event.floor().kind(), v1::FLOOR_CHANGE_HAND_LOWERED);
  ASSERT_EQ(fx.attendance.size(), 1U);
  EXPECT_EQ(fx.attendance[0].what, attendance_change::kind::closed);
  EXPECT_EQ(fx.attendance[0].subject, "a");
  EXPECT_EQ(fx.attendance[0].at, 10'000);
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].action, "remove");
  EXPECT_EQ(fx.audit[0].target, "a");
  EXPECT_EQ(fx.audit[0].detail, "");
  EXPECT_EQ(who(3).presence, v1::PRESENCE_LEFT);
  EXPECT_FALSE(room_.member_of(conn_of_.at(3)).has_value());

  // Back with the same token: through the lobby, whatever the policy; once
  // admitted, the same member, a new attendance segment, the mute still on.
  auto back = room_.join(40, person("a", v1::ROLE_PARTICIPANT), 20'000);
  ASSERT_TRUE(back.reply && back.reply->has_join() && back.reply->join().has_lobby());
  EXPECT_EQ(back.reply->join().lobby().reason(), v1::WAIT_REASON_REMOVED);
  EXPECT_TRUE(back.attendance.empty());
  EXPECT_EQ(admit(back.reply->join().lobby().waiting_id(), 21'000), 3U);
  EXPECT_EQ(who(3).presence, v1::PRESENCE_PRESENT);
  EXPECT_TRUE(who(3).chat_muted);
  check();
}

TEST_F(moderation_test, removing_a_reconnecting_member_ends_their_segment_when_they_dropped) {
  staff_and_group();
  drop(4, 8000);
  auto fx = moderate(2, mod::remove(4), 10'000);
  EXPECT_TRUE(fx.closes.empty());
  ASSERT_EQ(fx.attendance.size(), 1U);
  EXPECT_EQ(fx.attendance[0].at, 8000);
  EXPECT_EQ(room_.next_wake(), std::nullopt);  // no grace timer left
}

TEST_F(moderation_test, a_locked_room_refuses_newcomers_but_not_staff_or_returning_members) {
  staff_and_group();
  auto fx = moderate(2, mod::lock(), 10'000);
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"room:0:room_locked"}));
  EXPECT_TRUE(fx.events[0].event.room_locked().locked());
  EXPECT_EQ(fx.audit.at(0).action, "lock");
  EXPECT_TRUE(room_.snapshot(3, 10'000).locked());

  auto newcomer = room_.join(30, person("new", v1::ROLE_PARTICIPANT), 11'000);
  ASSERT_TRUE(newcomer.reply && newcomer.reply->has_error());
  EXPECT_EQ(newcomer.reply->error().code(), v1::ERROR_CODE_ROOM_LOCKED);
  EXPECT_TRUE(newcomer.events.empty());
  EXPECT_TRUE(newcomer.attendance.empty());

  // A dropped member comes back within the grace period; a second
  // connection of a present member replaces the first.
  drop(3, 12'000);
  EXPECT_TRUE(room_.join(31, person("a", v1::ROLE_PARTICIPANT), 13'000).reply->has_join());
  EXPECT_TRUE(room_.join(32, person("b", v1::ROLE_PARTICIPANT), 13'000).reply->has_join());
  // Staff always get in.
  EXPECT_TRUE(room_.join(33, person("f2", v1::ROLE_FACILITATOR), 13'000).reply->has_join());
  EXPECT_TRUE(room_.join(34, person("co2", v1::ROLE_CO_FACILITATOR), 13'000).reply->has_join());
  // Someone who left is a newcomer again.
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  run(5, leave, 14'000);
  EXPECT_EQ(room_.join(35, person("fam", v1::ROLE_FAMILY_MEMBER), 15'000).reply->error().code(),
            v1::ERROR_CODE_ROOM_LOCKED);

  EXPECT_EQ(moderate(1, mod::lock(), 15'500).audit.at(0).detail, "no_change");
  auto open = moderate(1, mod::unlock(), 16'000);
  EXPECT_FALSE(open.events.at(0).event.room_locked().locked());
  EXPECT_EQ(open.audit.at(0).action, "unlock");
  EXPECT_TRUE(room_.join(36, person("new", v1::ROLE_PARTICIPANT), 17'000).reply->has_join());
  check();
}

TEST_F(moderation_test, ending_the_session_closes_everyone_and_refuses_every_join) {
  staff_and_group();
  drop(6, 9000);
  send(1, cmd::grant(3), 9600);
  auto fx = moderate(1, mod::end_session(), 10'000);
  std::vector<connection_id> closed;
  for (const auto& c : fx.closes) {
    EXPECT_EQ(c.code, v1::CLOSE_CODE_SESSION_ENDED);
    closed.push_back(c.connection);
  }
  EXPECT_EQ(closed, (std::vector<connection_id>{1, 2, 3, 4, 5}));  // 6 had dropped
  std::size_t left = 0;
  for (const auto& e : fx.events) {
    if (e.event.has_member_left()) {
      EXPECT_EQ(e.event.member_left().reason(), v1::LEAVE_REASON_SESSION_ENDED);
      ++left;
    }
  }
  EXPECT_EQ(left, 6U);
  ASSERT_EQ(fx.attendance.size(), 6U);
  EXPECT_EQ(fx.attendance[5].at, 9000);  // the dropped observer's segment ended when they dropped
  EXPECT_EQ(fx.audit.at(0).action, "end_session");
  EXPECT_EQ(fx.audit.at(0).detail, "members=6");
  EXPECT_TRUE(room_.empty());
  EXPECT_TRUE(room_.ended());
  EXPECT_FALSE(floor(10'000).has_turn());

  for (const auto& [subject, role] : std::vector<std::pair<std::string, v1::Role>>{
           {"f", v1::ROLE_FACILITATOR}, {"a", v1::ROLE_PARTICIPANT}, {"x", v1::ROLE_OBSERVER}}) {
    auto again = room_.join(50, person(subject, role), 11'000);
    ASSERT_TRUE(again.reply && again.reply->has_error());
    EXPECT_EQ(again.reply->error().code(), v1::ERROR_CODE_SESSION_ENDED);
    EXPECT_TRUE(again.events.empty());
  }
  check();

  // A room the shell creates again for an ended session refuses joins too.
  reset();
  room_.mark_ended();
  EXPECT_EQ(room_.join(1, person("f", v1::ROLE_FACILITATOR), 0).reply->error().code(),
            v1::ERROR_CODE_SESSION_ENDED);
}

TEST_F(moderation_test, a_co_facilitator_ends_the_session_only_without_a_facilitator) {
  staff_and_group();
  denied(2, mod::end_session(), 10'000, "end_session", "");
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  run(1, leave, 11'000);
  moderate(2, mod::end_session(), 12'000);
  EXPECT_TRUE(room_.ended());
}

TEST_F(moderation_test, deleting_a_chat_message_takes_it_out_of_snapshots) {
  staff_and_group();
  const auto first = say(3, "something hurtful", 10'000);
  const auto second = say(4, "hello", 10'500);
  EXPECT_EQ(recent_chat_seqs(5), (std::vector<std::uint32_t>{first, second}));
  auto fx = moderate(2, mod::delete_chat(first), 11'000);
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"room:0:chat_deleted"}));
  EXPECT_EQ(fx.events[0].event.chat_deleted().seq(), first);
  EXPECT_EQ(fx.audit.at(0).action, "delete_chat");
  EXPECT_EQ(fx.audit.at(0).target, "a");  // the author
  EXPECT_EQ(fx.audit.at(0).detail, "seq=" + std::to_string(first));
  for (member_id viewer = 1; viewer <= 6; ++viewer) {
    EXPECT_EQ(recent_chat_seqs(viewer), (std::vector<std::uint32_t>{second}));
  }
  // Again: nothing happens.
  auto again = moderate(1, mod::delete_chat(first), 12'000);
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(again.audit.at(0).detail, "seq=" + std::to_string(first) + " no_change");
}

TEST_F(moderation_test, messages_older_than_the_snapshot_window_can_still_be_deleted) {
  staff_and_group();
  const auto old = say(3, "old", 10'000);
  for (int i = 0; i < 60; ++i) {
    say(4, "filler", 10'001 + i);
  }
  EXPECT_EQ(recent_chat_seqs(1).size(), 50U);
  auto fx = moderate(1, mod::delete_chat(old), 11'000);
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"room:0:chat_deleted"}));
  EXPECT_EQ(recent_chat_seqs(1).size(), 50U);
}

TEST_F(moderation_test, only_the_last_thousand_messages_can_be_deleted) {
  staff_and_group();
  const auto old = say(3, "old", 10'000);
  for (int i = 0; i < 1000; ++i) {
    say(4, "filler", 10'001 + i);
  }
  const auto head = room_.head_seq();
  auto fx = run(1, mod::delete_chat(old), 20'000);
  ASSERT_TRUE(fx.reply && fx.reply->has_error());
  EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_NOT_FOUND);
  EXPECT_TRUE(fx.events.empty());
  EXPECT_EQ(room_.head_seq(), head);
  moderate(1, mod::delete_chat(old + 1), 20'001);  // the oldest one still kept
}

TEST_F(moderation_test, a_promoted_member_is_staff_for_this_presence_only) {
  staff_and_group();
  run(5, signal(), 9000);  // an open distress signal
  auto fx = moderate(1, mod::set_role(3, v1::ROLE_CO_FACILITATOR), 10'000);
  EXPECT_EQ(deliveries(fx),
            (std::vector<std::string>{"room:0:member_role_changed", "direct:3:distress_signal"}));
  EXPECT_EQ(fx.events[0].event.member_role_changed().member_id(), 3U);
  EXPECT_EQ(fx.events[0].event.member_role_changed().role(), v1::ROLE_CO_FACILITATOR);
  EXPECT_EQ(fx.audit.at(0).action, "role_change");
  EXPECT_EQ(fx.audit.at(0).detail, "role=co_facilitator");
  EXPECT_EQ(room_.snapshot(4, 10'000).members(2).role(), v1::ROLE_CO_FACILITATOR);
  EXPECT_TRUE(room_.snapshot(3, 10'000).has_airtime());

  // Now staff: receives facilitator-scope chat, may moderate, but not the lead.
  auto note = run(4, private_chat(0, "note", 0, v1::CHAT_SCOPE_FACILITATORS), 11'000);
  EXPECT_EQ(deliveries(note), (std::vector<std::string>{"direct:1:chat", "direct:2:chat",
                                                        "direct:3:chat", "direct:4:chat"}));
  moderate(3, mod::mute(4, true, false), 11'500);
  denied(3, mod::set_role(1, v1::ROLE_CO_FACILITATOR), 12'000, "role_change", "f");
  denied(3, mod::remove(1), 12'000, "remove", "f");
  denied(3, mod::mute(1), 12'000, "mute", "f");
  denied(3, mod::set_role(3, v1::ROLE_UNSPECIFIED), 12'000, "role_change", "a");  // oneself

  // Demoted by the co-facilitator (back to the token's role).
  auto back = moderate(2, mod::set_role(3, v1::ROLE_UNSPECIFIED), 13'000);
  EXPECT_EQ(back.events.at(0).event.member_role_changed().role(), v1::ROLE_PARTICIPANT);
  EXPECT_EQ(back.audit.at(0).detail, "role=participant");

  // Promoted again, then leaves and rejoins: the token's role applies again.
  moderate(1, mod::set_role(3, v1::ROLE_CO_FACILITATOR), 14'000);
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  run(3, leave, 15'000);
  auto rejoin = room_.join(40, person("a", v1::ROLE_PARTICIPANT), 16'000);
  ASSERT_TRUE(rejoin.reply && rejoin.reply->has_join());
  EXPECT_EQ(who(3).who.role, v1::ROLE_PARTICIPANT);
  EXPECT_EQ(rejoin.events.at(0).event.member_joined().member().role(), v1::ROLE_PARTICIPANT);
  check();
}

TEST_F(moderation_test, a_facilitator_may_be_demoted_by_another_facilitator_only) {
  staff_and_group();
  const member_id lead2 = join("f2", v1::ROLE_FACILITATOR, 1000);
  denied(2, mod::set_role(lead2, v1::ROLE_CO_FACILITATOR), 10'000, "role_change", "f2");
  auto fx = moderate(1, mod::set_role(lead2, v1::ROLE_CO_FACILITATOR), 11'000);
  EXPECT_EQ(fx.events.at(0).event.member_role_changed().role(), v1::ROLE_CO_FACILITATOR);
  // Now a co-facilitator, so the other co-facilitator may act on them.
  moderate(2, mod::set_role(lead2, v1::ROLE_FACILITATOR), 12'000);
  EXPECT_EQ(who(lead2).who.role, v1::ROLE_FACILITATOR);
}

TEST_F(moderation_test, nobody_moderates_themselves_and_co_facilitators_spare_facilitators) {
  staff_and_group();
  denied(1, mod::mute(1), 10'000, "mute", "f");
  denied(1, mod::unmute(1), 10'000, "unmute", "f");
  denied(1, mod::remove(1), 10'000, "remove", "f");
  denied(1, mod::set_role(1, v1::ROLE_CO_FACILITATOR), 10'000, "role_change", "f");
  denied(2, mod::mute(2), 10'000, "mute", "co");
  denied(2, mod::mute(1), 10'000, "mute", "f");
  denied(2, mod::unmute(1), 10'000, "unmute", "f");
  denied(2, mod::remove(1), 10'000, "remove", "f");
  // A facilitator may act on a co-facilitator.
  moderate(1, mod::mute(2, true, false), 11'000);
  moderate(1, mod::remove(2), 12'000);
}

v1::ClientMessage transfer_lead(member_id m) {
  v1::Moderation c;
  c.mutable_transfer_lead()->set_member_id(m);
  return mod::wrap(c);
}

TEST_F(moderation_test, the_lead_passes_to_a_co_facilitator_and_the_old_lead_stays_staff) {
  staff_and_group();  // facilitator 1, co-facilitator 2 (a staff token)
  auto fx = moderate(1, transfer_lead(2), 10'000);
  ASSERT_GE(fx.events.size(), 2U);
  EXPECT_EQ(fx.events[0].event.member_role_changed().member_id(), 2U);
  EXPECT_EQ(fx.events[0].event.member_role_changed().role(), v1::ROLE_FACILITATOR);
  EXPECT_EQ(fx.events[1].event.member_role_changed().member_id(), 1U);
  EXPECT_EQ(fx.events[1].event.member_role_changed().role(), v1::ROLE_CO_FACILITATOR);
  EXPECT_EQ(fx.audit.at(0).action, "lead_transfer");
  EXPECT_EQ(fx.audit.at(0).target, "co");
  EXPECT_EQ(who(2).who.role, v1::ROLE_FACILITATOR);
  // The new lead leads: only they may hand it on, or end the session.
  denied(1, transfer_lead(2), 11'000, "lead_transfer", "co");
  // Only to a co-facilitator on the staff who is present.
  moderate(2, mod::set_role(3, v1::ROLE_CO_FACILITATOR), 12'000);  // a promoted participant
  refused(2, transfer_lead(3), 12'500, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(2, transfer_lead(4), 12'500, v1::ERROR_CODE_FAILED_PRECONDITION);
  denied(4, transfer_lead(1), 13'000, "lead_transfer", "f");
  EXPECT_TRUE(moderate(2, transfer_lead(1), 14'000).reply->has_moderation());
  EXPECT_EQ(who(1).who.role, v1::ROLE_FACILITATOR);
}

}  // namespace
}  // namespace hearth::core::testing
