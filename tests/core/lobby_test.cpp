// The lobby and bans with literal times: each lobby policy, holding people
// until a facilitator arrives, admit and deny (one and all), the lobby
// message, stepping out and back, reconnecting while waiting, bans that hold
// against any token of the identity, and the audit notes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

v1::ClientMessage lobby(v1::LobbyCommand command) {
  v1::ClientMessage m;
  *m.mutable_lobby() = std::move(command);
  return m;
}
v1::ClientMessage admit_cmd(std::uint32_t id) {
  v1::LobbyCommand c;
  c.mutable_admit()->set_waiting_id(id);
  return lobby(c);
}
v1::ClientMessage deny_cmd(std::uint32_t id, bool ban = false) {
  v1::LobbyCommand c;
  c.mutable_deny()->set_waiting_id(id);
  c.mutable_deny()->set_ban(ban);
  return lobby(c);
}
v1::ClientMessage step_out_cmd(member_id m) {
  v1::LobbyCommand c;
  c.mutable_step_out()->set_member_id(m);
  return lobby(c);
}
v1::ClientMessage message_cmd(const std::string& text) {
  v1::LobbyCommand c;
  c.mutable_set_message()->set_text(text);
  return lobby(c);
}
v1::ClientMessage ban_cmd(member_id m) {
  v1::Moderation c;
  c.mutable_ban()->set_member_id(m);
  return mod::wrap(c);
}
v1::ClientMessage unban_cmd(std::uint32_t id) {
  v1::Moderation c;
  c.mutable_unban()->set_ban_id(id);
  return mod::wrap(c);
}

class lobby_test : public moderation_fixture {
 protected:
  void plan(v1::LobbyPolicy policy, bool before_facilitator,
            std::initializer_list<const char*> roster = {}) {
    session_plan p;
    p.policy = policy;
    p.admit_before_facilitator = before_facilitator;
    for (const char* subject : roster) {
      p.roster.insert(subject);
    }
    room_.configure(p);
  }

  // A join on a fresh connection; returns the effects.
  effects arrive(connection_id conn, const std::string& subject, v1::Role role, time_ms now) {
    auto fx = room_.join(conn, person(subject, role), now);
    check();
    return fx;
  }

  static std::uint32_t waiting_id(const effects& fx) {
    EXPECT_TRUE(fx.reply && fx.reply->has_join() && fx.reply->join().has_lobby());
    return fx.reply->join().lobby().waiting_id();
  }

  v1::LobbyState lobby_seen_by(member_id facilitator, time_ms now = 0) const {
    return room_.snapshot(facilitator, now).lobby();
  }
};

TEST_F(lobby_test, roster_enters_and_others_wait_where_only_facilitators_see_them) {
  plan(v1::LOBBY_POLICY_ROSTER_ENTERS, true, {"a"});
  join("f", v1::ROLE_FACILITATOR);                       // 1
  EXPECT_EQ(join("a", v1::ROLE_PARTICIPANT, 1000), 2U);  // on the roster
  auto stranger = arrive(30, "x", v1::ROLE_PARTICIPANT, 2000);
  const auto id = waiting_id(stranger);
  EXPECT_EQ(stranger.reply->join().member_id(), 0U);
  EXPECT_FALSE(stranger.reply->join().has_snapshot());
  EXPECT_EQ(stranger.reply->join().lobby().reason(), v1::WAIT_REASON_ADMISSION);
  EXPECT_EQ(stranger.reply->join().lobby().since_ms(), 2000U);
  // The facilitator learns on their direct stream; the room stream is untouched.
  EXPECT_EQ(deliveries(stranger), (std::vector<std::string>{"direct:1:lobby_changed"}));
  const auto& seen = stranger.events[0].event.lobby_changed().lobby();
  ASSERT_EQ(seen.waiting_size(), 1);
  EXPECT_EQ(seen.waiting(0).waiting_id(), id);
  EXPECT_EQ(seen.waiting(0).display_name(), "name-x");
  EXPECT_EQ(seen.waiting(0).role(), v1::ROLE_PARTICIPANT);
  EXPECT_TRUE(seen.waiting(0).connected());
  EXPECT_EQ(seen.policy(), v1::LOBBY_POLICY_ROSTER_ENTERS);
  EXPECT_EQ(lobby_seen_by(1).waiting_size(), 1);
  EXPECT_FALSE(room_.snapshot(2, 0).has_lobby());  // participants never see the lobby

  // Waiting is not being in the room.
  auto chat = room_.handle(30, mod::chat("hello?"), 2500);
  ASSERT_TRUE(chat.reply && chat.reply->has_error());
  EXPECT_EQ(chat.reply->error().code(), v1::ERROR_CODE_NOT_JOINED);
  EXPECT_TRUE(chat.events.empty());

  // A co-facilitator never waits, roster or not.
  EXPECT_FALSE(arrive(31, "co", v1::ROLE_CO_FACILITATOR, 2600).reply->join().has_lobby());
}

TEST_F(lobby_test, admitting_brings_a_waiting_person_in_with_attendance_and_an_audit_note) {
  plan(v1::LOBBY_POLICY_EVERYONE_WAITS, true);
  join("f", v1::ROLE_FACILITATOR);
  const auto id = waiting_id(arrive(30, "a", v1::ROLE_PARTICIPANT, 1000));
  auto fx = run(1, admit_cmd(id), 5000);
  ASSERT_TRUE(fx.reply && fx.reply->has_lobby());
  EXPECT_EQ(fx.reply->lobby().admitted(), 1U);
  ASSERT_EQ(fx.admitted.size(), 1U);
  EXPECT_EQ(fx.admitted[0].connection, 30U);
  EXPECT_EQ(fx.admitted[0].member, 2U);
  EXPECT_EQ(deliveries(fx),
            (std::vector<std::string>{"room:0:member_joined", "direct:1:lobby_changed"}));
  EXPECT_EQ(fx.events[1].event.lobby_changed().lobby().waiting_size(), 0);
  ASSERT_EQ(fx.attendance.size(), 1U);
  EXPECT_EQ(fx.attendance[0].at, 5000);  // present from admission, not from arrival
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].action, "admit");
  EXPECT_EQ(fx.audit[0].target, "a");
  EXPECT_EQ(fx.audit[0].detail, "admission");
  EXPECT_EQ(room_.member_of(30), std::optional<member_id>(2U));
  // Admitting someone no longer waiting is 104 and changes nothing.
  refused(1, admit_cmd(id), 6000, v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(lobby_test, nobody_enters_before_a_facilitator_unless_the_session_allows_it) {
  plan(v1::LOBBY_POLICY_OPEN, false);
  auto early = arrive(30, "a", v1::ROLE_PARTICIPANT, 1000);
  EXPECT_EQ(early.reply->join().lobby().reason(), v1::WAIT_REASON_NO_FACILITATOR);
  EXPECT_TRUE(early.events.empty());                     // no facilitator to tell
  waiting_id(arrive(31, "o", v1::ROLE_OBSERVER, 1100));  // observers wait for a person, always
  // The facilitator's arrival lets in whoever was only waiting for them.
  auto fx = arrive(40, "f", v1::ROLE_FACILITATOR, 2000);
  conn_of_[1] = 40;
  ASSERT_EQ(fx.admitted.size(), 1U);
  EXPECT_EQ(fx.admitted[0].connection, 30U);
  EXPECT_EQ(fx.reply->join().head_seq(), room_.head_seq());  // their own join covers it all
  ASSERT_EQ(lobby_seen_by(1).waiting_size(), 1);
  EXPECT_EQ(lobby_seen_by(1).waiting(0).role(), v1::ROLE_OBSERVER);
  EXPECT_TRUE(fx.audit.empty());  // policy, not a person's decision
}

TEST_F(lobby_test, denial_closes_the_waiting_connection_and_a_ban_holds_against_any_token) {
  plan(v1::LOBBY_POLICY_EVERYONE_WAITS, true);
  join("f", v1::ROLE_FACILITATOR);
  const auto a = waiting_id(arrive(30, "a", v1::ROLE_PARTICIPANT, 1000));
  const auto b = waiting_id(arrive(31, "b", v1::ROLE_PARTICIPANT, 1000));
  auto fx = run(1, deny_cmd(a), 2000);
  EXPECT_EQ(fx.reply->lobby().denied(), 1U);
  ASSERT_EQ(fx.closes.size(), 1U);
  EXPECT_EQ(fx.closes[0].connection, 30U);
  EXPECT_EQ(fx.closes[0].code, v1::CLOSE_CODE_DENIED);
  EXPECT_EQ(fx.audit.at(0).action, "deny");
  EXPECT_TRUE(fx.bans.empty());
  // Denied is not banned: they may knock again.
  EXPECT_TRUE(arrive(32, "a", v1::ROLE_PARTICIPANT, 2500).reply->join().has_lobby());

  auto banned = run(1, deny_cmd(b, /*ban=*/true), 3000);
  EXPECT_EQ(banned.closes.at(0).code, v1::CLOSE_CODE_BANNED);
  EXPECT_EQ(banned.audit.at(0).action, "ban");
  ASSERT_EQ(banned.bans.size(), 1U);
  EXPECT_FALSE(banned.bans[0].lifted);
  EXPECT_EQ(banned.bans[0].subject, "b");
  EXPECT_EQ(banned.bans[0].by, "f");
  EXPECT_EQ(deliveries(banned),
            (std::vector<std::string>{"direct:1:bans_changed", "direct:1:lobby_changed"}));
  // Any token of the identity: the subject is what is banned.
  auto again = arrive(33, "b", v1::ROLE_PARTICIPANT, 4000);
  ASSERT_TRUE(again.reply->has_error());
  EXPECT_EQ(again.reply->error().code(), v1::ERROR_CODE_BANNED);
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(room_.snapshot(1, 0).bans_size(), 1);
}

TEST_F(lobby_test, a_banned_member_is_closed_out_and_back_only_after_unban) {
  staff_and_group();
  auto fx = moderate(1, ban_cmd(3), 10'000);
  ASSERT_EQ(fx.closes.size(), 1U);
  EXPECT_EQ(fx.closes[0].code, v1::CLOSE_CODE_BANNED);
  EXPECT_EQ(fx.events.at(0).event.member_left().reason(), v1::LEAVE_REASON_BANNED);
  EXPECT_EQ(fx.attendance.at(0).what, attendance_change::kind::closed);
  ASSERT_EQ(fx.bans.size(), 1U);
  EXPECT_EQ(fx.bans[0].display_name, "name-a");
  EXPECT_EQ(fx.audit.at(0).action, "ban");
  EXPECT_EQ(room_.join(40, person("a", v1::ROLE_PARTICIPANT), 11'000).reply->error().code(),
            v1::ERROR_CODE_BANNED);
  // A member who already left can be banned too, so their token stops working.
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  run(4, leave, 12'000);
  moderate(1, ban_cmd(4), 12'500);
  const auto bans = room_.snapshot(1, 0).bans();
  ASSERT_EQ(bans.size(), 2);
  // Nobody bans the staff, and nobody bans themselves.
  denied(2, ban_cmd(1), 13'000, "ban", "f");
  denied(1, ban_cmd(2), 13'000, "ban", "co");
  denied(1, ban_cmd(1), 13'000, "ban", "f");
  denied(3 + 2, ban_cmd(4), 13'000, "ban", "b");  // the family member has no authority

  auto lifted = moderate(1, unban_cmd(bans[0].ban_id()), 14'000);
  ASSERT_EQ(lifted.bans.size(), 1U);
  EXPECT_EQ(deliveries(lifted),
            (std::vector<std::string>{"direct:1:bans_changed", "direct:2:bans_changed"}));
  EXPECT_EQ(lifted.events[0].event.bans_changed().bans_size(), 1);  // the other one
  auto last = moderate(1, unban_cmd(bans[1].ban_id()), 14'100);
  ASSERT_EQ(deliveries(last).size(), 2U);
  EXPECT_TRUE(last.events[0].event.has_bans_changed());  // an empty list is still news
  EXPECT_EQ(last.events[0].event.bans_changed().bans_size(), 0);
  EXPECT_TRUE(lifted.bans[0].lifted);
  EXPECT_EQ(lifted.bans[0].subject, "a");
  EXPECT_EQ(lifted.audit.at(0).action, "unban");
  EXPECT_TRUE(room_.join(41, person("a", v1::ROLE_PARTICIPANT), 15'000).reply->has_join());
  refused(1, unban_cmd(bans[0].ban_id()), 16'000, v1::ERROR_CODE_NOT_FOUND);
}

TEST_F(lobby_test, stepping_out_sends_a_member_to_the_lobby_and_admission_brings_them_back) {
  staff_and_group();
  auto fx = run(1, step_out_cmd(5), 10'000);  // the family member
  ASSERT_TRUE(fx.reply && fx.reply->has_lobby());
  ASSERT_FALSE(fx.events.empty());
  EXPECT_EQ(fx.events[0].event.member_left().reason(), v1::LEAVE_REASON_STEPPED_OUT);
  ASSERT_EQ(fx.to_lobby.size(), 1U);
  EXPECT_EQ(fx.to_lobby[0].connection, conn_of_.at(5));
  EXPECT_EQ(fx.to_lobby[0].after_events, 1U);  // they see their own MemberLeft, nothing after
  ASSERT_EQ(fx.lobby_notices.size(), 1U);
  EXPECT_EQ(fx.lobby_notices[0].status.reason(), v1::WAIT_REASON_STEPPED_OUT);
  EXPECT_TRUE(fx.closes.empty());  // the connection stays open
  EXPECT_EQ(fx.attendance.at(0).what, attendance_change::kind::closed);
  EXPECT_EQ(fx.audit.at(0).action, "step_out");
  const auto lobby = lobby_seen_by(1);
  ASSERT_EQ(lobby.waiting_size(), 1);
  EXPECT_EQ(lobby.waiting(0).member_id(), 5U);

  auto back = run(2, admit_cmd(lobby.waiting(0).waiting_id()), 20'000);
  ASSERT_EQ(back.admitted.size(), 1U);
  EXPECT_EQ(back.admitted[0].member, 5U);  // the same member
  EXPECT_EQ(who(5).presence, v1::PRESENCE_PRESENT);
  // Facilitators never step out; nobody steps out someone reconnecting.
  refused(1, step_out_cmd(2), 21'000, v1::ERROR_CODE_FAILED_PRECONDITION);
  drop(4, 21'000);
  refused(1, step_out_cmd(4), 21'500, v1::ERROR_CODE_FAILED_PRECONDITION);
}

TEST_F(lobby_test, leaving_the_lobby_does_not_undo_a_step_out) {
  staff_and_group();
  auto fx = run(1, step_out_cmd(3), 10'000);
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  EXPECT_TRUE(room_.handle(conn_of_.at(3), leave, 11'000).reply->has_leave());
  // Back on a new connection: still waiting for a facilitator's word.
  auto back = room_.join(40, person("a", v1::ROLE_PARTICIPANT), 12'000);
  EXPECT_EQ(back.reply->join().lobby().reason(), v1::WAIT_REASON_STEPPED_OUT);
  EXPECT_EQ(admit(back.reply->join().lobby().waiting_id(), 13'000), 3U);
  // Once admitted, a later reconnect-after-leaving enters as the policy says.
  EXPECT_TRUE(room_.handle(40, leave, 14'000).reply->has_leave());
  EXPECT_TRUE(room_.join(41, person("a", v1::ROLE_PARTICIPANT), 15'000).reply->join().member_id());
  check();
}

TEST_F(lobby_test, a_ban_is_written_again_when_repeated) {
  staff_and_group();
  moderate(1, ban_cmd(3), 10'000);
  auto again = moderate(1, ban_cmd(3), 11'000);  // e.g. after a failed commit
  ASSERT_EQ(again.bans.size(), 1U);
  EXPECT_EQ(again.bans[0].at, 10'000);
  EXPECT_TRUE(again.events.empty());  // the list did not change
  EXPECT_EQ(room_.snapshot(1, 0).bans_size(), 1);
}

TEST_F(lobby_test, a_dropped_waiting_person_keeps_their_place_for_the_grace_period) {
  plan(v1::LOBBY_POLICY_EVERYONE_WAITS, true);
  join("f", v1::ROLE_FACILITATOR);
  const auto id = waiting_id(arrive(30, "a", v1::ROLE_PARTICIPANT, 1000));
  auto dropped = room_.disconnect(30, 2000);
  EXPECT_EQ(deliveries(dropped), (std::vector<std::string>{"direct:1:lobby_changed"}));
  EXPECT_FALSE(lobby_seen_by(1).waiting(0).connected());
  EXPECT_EQ(room_.next_wake(), std::optional<time_ms>(2000 + 15'000));
  refused(1, admit_cmd(id), 2500, v1::ERROR_CODE_FAILED_PRECONDITION);
  auto back = arrive(31, "a", v1::ROLE_PARTICIPANT, 5000);
  EXPECT_EQ(waiting_id(back), id);
  EXPECT_EQ(back.reply->join().lobby().since_ms(), 1000U);  // their place in the queue
  // A second connection of the same identity replaces the first, as in the room.
  auto twice = arrive(32, "a", v1::ROLE_PARTICIPANT, 5500);
  EXPECT_EQ(twice.closes.at(0).code, v1::CLOSE_CODE_REPLACED);
  room_.disconnect(32, 6000);
  auto expired = wake(6000 + 15'000);
  EXPECT_EQ(deliveries(expired), (std::vector<std::string>{"direct:1:lobby_changed"}));
  EXPECT_EQ(lobby_seen_by(1).waiting_size(), 0);
  EXPECT_TRUE(room_.empty() == false);  // the facilitator is still here
}

TEST_F(lobby_test, the_lobby_message_reaches_those_waiting_and_never_the_audit_trail) {
  plan(v1::LOBBY_POLICY_EVERYONE_WAITS, true);
  join("f", v1::ROLE_FACILITATOR);
  waiting_id(arrive(30, "a", v1::ROLE_PARTICIPANT, 1000));
  waiting_id(arrive(31, "b", v1::ROLE_PARTICIPANT, 1000));
  room_.disconnect(31, 1500);
  auto fx = run(1, message_cmd("We start at 6:05"), 2000);
  ASSERT_EQ(fx.lobby_notices.size(), 1U);  // only the connected one
  EXPECT_EQ(fx.lobby_notices[0].connection, 30U);
  EXPECT_EQ(fx.lobby_notices[0].status.message(), "We start at 6:05");
  EXPECT_EQ(fx.audit.at(0).action, "lobby_message");
  EXPECT_EQ(fx.audit.at(0).detail, "set");
  EXPECT_EQ(lobby_seen_by(1).message(), "We start at 6:05");
  // A newcomer is told on arrival.
  EXPECT_EQ(arrive(32, "c", v1::ROLE_PARTICIPANT, 3000).reply->join().lobby().message(),
            "We start at 6:05");
  refused(1, message_cmd(std::string(501, 'x')), 4000, v1::ERROR_CODE_LIMIT_EXCEEDED);
  EXPECT_EQ(run(1, message_cmd(""), 5000).audit.at(0).detail, "cleared");
}

TEST_F(lobby_test, admit_all_and_deny_all_and_the_limits) {
  auto l = limits();
  l.max_waiting = 2;
  l.max_members = 3;
  room_ = room("r1", l);
  plan(v1::LOBBY_POLICY_EVERYONE_WAITS, true);
  join("f", v1::ROLE_FACILITATOR);
  waiting_id(arrive(30, "a", v1::ROLE_PARTICIPANT, 1000));
  waiting_id(arrive(31, "b", v1::ROLE_PARTICIPANT, 1000));
  auto full = arrive(32, "c", v1::ROLE_PARTICIPANT, 1000);
  EXPECT_EQ(full.reply->error().code(), v1::ERROR_CODE_LIMIT_EXCEEDED);
  EXPECT_TRUE(full.reply->error().temporary());
  auto all = run(1, lobby([] {
                   v1::LobbyCommand c;
                   c.mutable_admit_all();
                   return c;
                 }()),
                 2000);
  EXPECT_EQ(all.reply->lobby().admitted(), 2U);
  EXPECT_EQ(all.audit.at(0).detail, "people=2");
  // The room is full now: the next one waits and cannot be admitted.
  const auto d = waiting_id(arrive(33, "d", v1::ROLE_PARTICIPANT, 3000));
  refused(1, admit_cmd(d), 3500, v1::ERROR_CODE_LIMIT_EXCEEDED);
  auto none = run(1, lobby([] {
                    v1::LobbyCommand c;
                    c.mutable_deny_all();
                    return c;
                  }()),
                  4000);
  EXPECT_EQ(none.reply->lobby().denied(), 1U);
  EXPECT_EQ(none.closes.at(0).code, v1::CLOSE_CODE_DENIED);
}

TEST_F(lobby_test, only_staff_command_the_lobby_and_every_refusal_is_audited) {
  plan(v1::LOBBY_POLICY_EVERYONE_WAITS, true);
  join("f", v1::ROLE_FACILITATOR);
  join("co", v1::ROLE_CO_FACILITATOR);
  const auto id = waiting_id(arrive(30, "a", v1::ROLE_PARTICIPANT, 1000));
  // Someone waiting cannot command anything.
  ASSERT_TRUE(room_.join(31, person("p", v1::ROLE_PARTICIPANT), 1000).reply->join().has_lobby());
  auto fx = room_.handle(31, admit_cmd(id), 2000);
  ASSERT_TRUE(fx.reply->has_error());
  EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_NOT_JOINED);
  EXPECT_TRUE(fx.events.empty());

  plan(v1::LOBBY_POLICY_OPEN, true);
  const auto q = room_.join(32, person("q", v1::ROLE_PARTICIPANT), 2100).reply->join().member_id();
  ASSERT_EQ(q, 3U);
  conn_of_[q] = 32;
  denied(q, admit_cmd(id), 2200, "admit", "a");
  denied(q, step_out_cmd(1), 2300, "step_out", "f");
  EXPECT_TRUE(run(2, admit_cmd(id), 2400).reply->has_lobby());  // a co-facilitator may
}

TEST_F(lobby_test, ending_the_session_closes_the_lobby_and_restored_bans_refuse_joins) {
  plan(v1::LOBBY_POLICY_EVERYONE_WAITS, true);
  room_.restore_ban("z", "name-z", v1::ROLE_PARTICIPANT, 500);
  join("f", v1::ROLE_FACILITATOR);
  EXPECT_EQ(arrive(29, "z", v1::ROLE_PARTICIPANT, 900).reply->error().code(),
            v1::ERROR_CODE_BANNED);
  EXPECT_EQ(room_.snapshot(1, 0).bans(0).display_name(), "name-z");
  waiting_id(arrive(30, "a", v1::ROLE_PARTICIPANT, 1000));
  auto fx = moderate(1, mod::end_session(), 2000);
  bool closed_waiting = false;
  for (const auto& close : fx.closes) {
    closed_waiting =
        closed_waiting || (close.connection == 30U && close.code == v1::CLOSE_CODE_SESSION_ENDED);
  }
  EXPECT_TRUE(closed_waiting);
  EXPECT_TRUE(room_.empty());
}

TEST_F(lobby_test, a_locked_room_refuses_newcomers_but_a_facilitator_still_admits) {
  plan(v1::LOBBY_POLICY_EVERYONE_WAITS, true);
  join("f", v1::ROLE_FACILITATOR);
  const auto id = waiting_id(arrive(30, "a", v1::ROLE_PARTICIPANT, 1000));
  moderate(1, mod::lock(), 1500);
  EXPECT_EQ(arrive(31, "b", v1::ROLE_PARTICIPANT, 2000).reply->error().code(),
            v1::ERROR_CODE_ROOM_LOCKED);
  EXPECT_EQ(run(1, admit_cmd(id), 2500).admitted.size(), 1U);
}

}  // namespace
}  // namespace hearth::core::testing
