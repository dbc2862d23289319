// Room core scenarios with literal times: membership, presence, grace, chat
// audiences, authorization and sequence numbers.
#include "core/room.hpp"

#include <gtest/gtest.h>

namespace hearth::core {
namespace {

identity person(const std::string& subject, v1::Role role, const std::string& room = "r1") {
  return identity{subject, "name-" + subject, room, role};
}

v1::ClientMessage chat(const std::string& text, v1::ChatScope scope = v1::CHAT_SCOPE_ROOM,
                       std::uint64_t client_msg_id = 0) {
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text(text);
  m.mutable_send_chat()->set_scope(scope);
  m.mutable_send_chat()->set_client_msg_id(client_msg_id);
  return m;
}

class room_test : public ::testing::Test {
 protected:
  room_test() : room_("r1", limits()) {}
  static room_limits limits() {
    room_limits l;
    l.reconnect_grace = 15'000;
    l.max_members = 3;
    l.max_chat_bytes = 10;
    return l;
  }
  effects join(connection_id conn, const identity& who, time_ms now = 1000) {
    return room_.join(conn, who, now);
  }
  room room_;
};

TEST_F(room_test, first_join_announces_member_with_seq_one) {
  auto fx = join(1, person("f", v1::ROLE_FACILITATOR));
  ASSERT_EQ(fx.events.size(), 1U);
  EXPECT_EQ(fx.events[0].to.kind, audience_kind::room_stream);
  EXPECT_EQ(fx.events[0].event.seq(), 1U);
  EXPECT_EQ(fx.events[0].event.server_time_ms(), 1000U);
  EXPECT_EQ(fx.events[0].event.member_joined().member().role(), v1::ROLE_FACILITATOR);
  ASSERT_TRUE(fx.reply && fx.reply->has_join());
  EXPECT_EQ(fx.reply->join().member_id(), 1U);
  EXPECT_EQ(fx.reply->join().head_seq(), 1U);
  EXPECT_EQ(room_.snapshot(0, 0).members_size(), 1);
}

// Someone back after leaving, or after their grace ran out, missed what their
// direct stream would have carried: the shell must answer with a snapshot.
// A reconnect within the grace period can still be replayed.
TEST_F(room_test, a_return_after_leaving_asks_for_a_fresh_start_a_reconnect_does_not) {
  EXPECT_FALSE(join(1, person("f", v1::ROLE_FACILITATOR)).fresh_start);
  EXPECT_FALSE(join(2, person("p", v1::ROLE_PARTICIPANT)).fresh_start);
  room_.disconnect(2, 2000);
  EXPECT_FALSE(join(3, person("p", v1::ROLE_PARTICIPANT), 3000).fresh_start);
  room_.disconnect(3, 4000);
  room_.wake(4000 + 15'000);  // the grace ran out: they left
  EXPECT_TRUE(join(4, person("p", v1::ROLE_PARTICIPANT), 20'000).fresh_start);
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  room_.handle(4, leave, 21'000);
  EXPECT_TRUE(join(5, person("p", v1::ROLE_PARTICIPANT), 22'000).fresh_start);
}

TEST_F(room_test, token_for_another_room_is_refused_and_changes_nothing) {
  auto fx = join(1, person("p", v1::ROLE_PARTICIPANT, "other"));
  ASSERT_TRUE(fx.reply && fx.reply->has_error());
  EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_TRUE(fx.events.empty());
  EXPECT_EQ(room_.head_seq(), 0U);
  EXPECT_TRUE(room_.empty());
}

TEST_F(room_test, room_full_is_a_limit_error) {
  join(1, person("a", v1::ROLE_FACILITATOR));
  join(2, person("b", v1::ROLE_PARTICIPANT));
  join(3, person("c", v1::ROLE_PARTICIPANT));
  auto fx = join(4, person("d", v1::ROLE_PARTICIPANT));
  ASSERT_TRUE(fx.reply && fx.reply->has_error());
  EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_LIMIT_EXCEEDED);
  EXPECT_EQ(room_.head_seq(), 3U);
}

TEST_F(room_test, drop_then_rejoin_within_grace_keeps_member_without_leave) {
  join(1, person("f", v1::ROLE_FACILITATOR));
  join(2, person("p", v1::ROLE_PARTICIPANT));
  auto dropped = room_.disconnect(2, 2000);
  ASSERT_EQ(dropped.events.size(), 1U);
  EXPECT_EQ(dropped.events[0].event.member_presence().presence(), v1::PRESENCE_RECONNECTING);
  EXPECT_EQ(room_.next_wake(), 17'000);

  auto back = join(5, person("p", v1::ROLE_PARTICIPANT), 10'000);
  ASSERT_EQ(back.events.size(), 1U);
  EXPECT_EQ(back.events[0].event.member_presence().presence(), v1::PRESENCE_PRESENT);
  EXPECT_EQ(back.reply->join().member_id(), 2U);
  EXPECT_FALSE(room_.next_wake().has_value());
  EXPECT_TRUE(room_.wake(20'000).events.empty());
}

// The roster counts reconnecting members to skip the deadline walk when there
// are none: the wake-up must follow every drop, return and expiry.
TEST_F(room_test, the_wake_up_follows_the_earliest_grace_of_several_reconnecting_members) {
  join(1, person("f", v1::ROLE_FACILITATOR));
  join(2, person("p", v1::ROLE_PARTICIPANT));
  join(3, person("q", v1::ROLE_PARTICIPANT));
  room_.disconnect(2, 2000);
  room_.disconnect(3, 5000);
  EXPECT_EQ(room_.next_wake(), 17'000);
  join(4, person("p", v1::ROLE_PARTICIPANT), 6000);  // back within the grace
  EXPECT_EQ(room_.next_wake(), 20'000);
  room_.disconnect(1, 7000);
  EXPECT_EQ(room_.next_wake(), 20'000);
  EXPECT_EQ(room_.wake(20'000).events.size(), 1U);  // q's grace ran out
  EXPECT_EQ(room_.next_wake(), 22'000);
  join(5, person("f", v1::ROLE_FACILITATOR), 21'000);
  EXPECT_FALSE(room_.next_wake().has_value());
  room_.disconnect(4, 30'000);  // p again, after q has left
  EXPECT_EQ(room_.next_wake(), 45'000);
}

TEST_F(room_test, grace_expiry_announces_departure_exactly_at_deadline) {
  join(1, person("f", v1::ROLE_FACILITATOR));
  join(2, person("p", v1::ROLE_PARTICIPANT));
  room_.disconnect(2, 2000);
  EXPECT_TRUE(room_.wake(16'999).events.empty());
  auto fx = room_.wake(17'000);
  ASSERT_EQ(fx.events.size(), 1U);
  EXPECT_EQ(fx.events[0].event.member_left().member_id(), 2U);
  EXPECT_EQ(fx.events[0].event.member_left().reason(), v1::LEAVE_REASON_GRACE_EXPIRED);
  EXPECT_EQ(room_.snapshot(0, 0).members_size(), 1);
}

TEST_F(room_test, second_connection_of_same_identity_replaces_first) {
  join(1, person("p", v1::ROLE_PARTICIPANT));
  auto fx = join(2, person("p", v1::ROLE_PARTICIPANT));
  EXPECT_TRUE(fx.events.empty());  // no presence flapping
  ASSERT_EQ(fx.closes.size(), 1U);
  EXPECT_EQ(fx.closes[0].connection, 1U);
  EXPECT_EQ(fx.closes[0].code, v1::CLOSE_CODE_REPLACED);
  EXPECT_EQ(room_.member_of(2), 1U);
  EXPECT_FALSE(room_.member_of(1).has_value());
  // The replaced connection's late drop changes nothing.
  EXPECT_TRUE(room_.disconnect(1, 3000).events.empty());
}

TEST_F(room_test, room_chat_reaches_room_stream_in_sequence) {
  join(1, person("f", v1::ROLE_FACILITATOR));
  join(2, person("p", v1::ROLE_PARTICIPANT));
  auto fx = room_.handle(2, chat("hi"), 3000);
  ASSERT_EQ(fx.events.size(), 1U);
  EXPECT_EQ(fx.events[0].to.kind, audience_kind::room_stream);
  EXPECT_EQ(fx.events[0].event.seq(), 3U);
  EXPECT_EQ(fx.events[0].event.chat().from_member_id(), 2U);
  EXPECT_EQ(fx.reply->chat().seq(), 3U);
  EXPECT_EQ(room_.snapshot(0, 0).recent_chat_size(), 1);
}

TEST_F(room_test, the_snapshot_holds_the_last_fifty_room_chats_in_order) {
  join(1, person("f", v1::ROLE_FACILITATOR));
  join(2, person("p", v1::ROLE_PARTICIPANT));
  // Past fifty the oldest kept message is overwritten by the newest; texts of
  // different lengths show whether a reused one keeps anything of before.
  std::vector<std::uint32_t> seqs;
  for (int i = 0; i < 130; ++i) {
    const member_id from = i % 3 == 0 ? 1 : 2;
    auto fx = room_.handle(
        from, chat("m" + std::string(static_cast<std::size_t>(i % 7), 'x') + std::to_string(i)),
        3000 + i);
    ASSERT_TRUE(fx.reply && fx.reply->has_chat()) << i;
    seqs.push_back(fx.reply->chat().seq());
  }
  const auto snap = room_.snapshot(0, 0);
  ASSERT_EQ(snap.recent_chat_size(), 50);
  for (int k = 0; k < 50; ++k) {
    const int i = 80 + k;
    const auto& kept = snap.recent_chat(k);
    EXPECT_EQ(kept.seq(), seqs[static_cast<std::size_t>(i)]) << k;
    EXPECT_EQ(kept.text(),
              "m" + std::string(static_cast<std::size_t>(i % 7), 'x') + std::to_string(i));
    EXPECT_EQ(kept.from_member_id(), i % 3 == 0 ? 1U : 2U) << k;
    EXPECT_EQ(kept.sent_at_ms(), static_cast<std::uint64_t>(3000 + i)) << k;
    EXPECT_EQ(kept.scope(), v1::CHAT_SCOPE_ROOM) << k;
  }
}

TEST_F(room_test, private_chat_goes_to_facilitators_and_sender_only) {
  join(1, person("f", v1::ROLE_FACILITATOR));
  join(2, person("p", v1::ROLE_PARTICIPANT));
  join(3, person("q", v1::ROLE_PARTICIPANT));
  auto fx = room_.handle(2, chat("help", v1::CHAT_SCOPE_FACILITATORS), 3000);
  ASSERT_EQ(fx.events.size(), 2U);
  for (const auto& e : fx.events) {
    EXPECT_EQ(e.to.kind, audience_kind::direct);
    EXPECT_EQ(e.event.seq(), 0U);  // never in the shared stream: no gap there
    EXPECT_EQ(e.event.direct_seq(), 1U);
    EXPECT_NE(e.to.member, 3U);
  }
  EXPECT_EQ(room_.head_seq(), 3U);
  EXPECT_EQ(room_.snapshot(0, 0).recent_chat_size(), 0);
}

TEST_F(room_test, observers_cannot_chat_to_the_room) {
  join(1, person("f", v1::ROLE_FACILITATOR));
  auto waiting = join(2, person("o", v1::ROLE_OBSERVER));
  ASSERT_TRUE(waiting.reply->join().has_lobby());  // observers are always let in by hand
  v1::ClientMessage admit;
  admit.mutable_lobby()->mutable_admit()->set_waiting_id(
      waiting.reply->join().lobby().waiting_id());
  admit.mutable_lobby()->mutable_admit()->set_attest_consent(true);
  ASSERT_EQ(room_.handle(1, admit, 2000).admitted.size(), 1U);
  auto fx = room_.handle(2, chat("hello"), 3000);
  ASSERT_TRUE(fx.reply->has_error());
  EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_TRUE(fx.events.empty());
  EXPECT_EQ(room_.head_seq(), 2U);
}

TEST_F(room_test, chat_limits_and_empty_text) {
  join(1, person("p", v1::ROLE_PARTICIPANT));
  EXPECT_EQ(room_.handle(1, chat(""), 2000).reply->error().code(), v1::ERROR_CODE_BAD_REQUEST);
  EXPECT_EQ(room_.handle(1, chat("01234567890"), 2000).reply->error().code(),
            v1::ERROR_CODE_LIMIT_EXCEEDED);
  EXPECT_FALSE(room_.handle(1, chat("0123456789"), 2000).reply->has_error());
}

TEST_F(room_test, retried_chat_is_applied_once) {
  join(1, person("p", v1::ROLE_PARTICIPANT));
  auto first = room_.handle(1, chat("hi", v1::CHAT_SCOPE_ROOM, 7), 2000);
  auto again = room_.handle(1, chat("hi", v1::CHAT_SCOPE_ROOM, 7), 2500);
  EXPECT_EQ(first.events.size(), 1U);
  EXPECT_TRUE(again.events.empty());
  EXPECT_TRUE(again.reply->chat().duplicate());
  EXPECT_EQ(again.reply->chat().seq(), first.reply->chat().seq());
}

TEST_F(room_test, retries_are_known_whatever_order_the_ids_came_in) {
  join(1, person("p", v1::ROLE_PARTICIPANT));
  auto ten = room_.handle(1, chat("a", v1::CHAT_SCOPE_ROOM, 10), 2000);
  auto five = room_.handle(1, chat("b", v1::CHAT_SCOPE_ROOM, 5), 2100);
  EXPECT_EQ(five.events.size(), 1U);  // lower than the highest id, but new
  EXPECT_FALSE(five.reply->chat().duplicate());
  room_.disconnect(1, 2200);
  join(2, person("p", v1::ROLE_PARTICIPANT), 2300);  // retries come after a reconnect
  for (const auto& [id, first] : {std::pair{10U, &ten}, std::pair{5U, &five}}) {
    auto again = room_.handle(2, chat("x", v1::CHAT_SCOPE_ROOM, id), 2400);
    EXPECT_TRUE(again.events.empty()) << id;
    EXPECT_TRUE(again.reply->chat().duplicate()) << id;
    EXPECT_EQ(again.reply->chat().seq(), first->reply->chat().seq()) << id;
  }
}

TEST_F(room_test, a_retry_older_than_the_dedupe_window_is_applied_again) {
  join(1, person("p", v1::ROLE_PARTICIPANT));
  const std::uint32_t window = limits().dedupe_window;
  for (std::uint32_t id = 1; id <= window + 1; ++id) {
    ASSERT_EQ(room_.handle(1, chat("m", v1::CHAT_SCOPE_ROOM, id), 2000).events.size(), 1U);
  }
  EXPECT_TRUE(room_.handle(1, chat("m", v1::CHAT_SCOPE_ROOM, 2), 3000).reply->chat().duplicate());
  auto oldest = room_.handle(1, chat("m", v1::CHAT_SCOPE_ROOM, 1), 3000);
  EXPECT_FALSE(oldest.reply->chat().duplicate());
  EXPECT_EQ(oldest.events.size(), 1U);
}

TEST_F(room_test, commands_from_unjoined_connections_are_refused) {
  auto fx = room_.handle(9, chat("hi"), 2000);
  EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_NOT_JOINED);
  EXPECT_TRUE(fx.events.empty());
}

TEST_F(room_test, typing_is_ephemeral_and_skips_sender) {
  join(1, person("p", v1::ROLE_PARTICIPANT));
  v1::ClientMessage typing;
  typing.mutable_typing()->set_active(true);
  auto fx = room_.handle(1, typing, 2000);
  ASSERT_EQ(fx.events.size(), 1U);
  EXPECT_EQ(fx.events[0].to.kind, audience_kind::everyone_but);
  EXPECT_EQ(fx.events[0].to.member, 1U);
  EXPECT_EQ(fx.events[0].event.seq(), 0U);
  EXPECT_FALSE(fx.reply.has_value());
  EXPECT_EQ(room_.head_seq(), 1U);
}

TEST_F(room_test, leave_then_rejoin_keeps_member_id_and_room_empties) {
  join(1, person("p", v1::ROLE_PARTICIPANT));
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  auto fx = room_.handle(1, leave, 2000);
  ASSERT_EQ(fx.events.size(), 1U);
  EXPECT_EQ(fx.events[0].event.member_left().reason(), v1::LEAVE_REASON_LEFT);
  EXPECT_TRUE(room_.empty());
  auto back = join(2, person("p", v1::ROLE_PARTICIPANT), 3000);
  EXPECT_EQ(back.reply->join().member_id(), 1U);
  EXPECT_TRUE(back.events[0].event.has_member_joined());
}

class attendance_test : public ::testing::Test {
 protected:
  attendance_test() : room_("r1", room_limits{}) {}
  room room_;
};

using kind = attendance_change::kind;

TEST_F(attendance_test, a_join_opens_and_a_leave_closes_a_segment) {
  auto fx = room_.join(1, person("p", v1::ROLE_PARTICIPANT), 1000);
  ASSERT_EQ(fx.attendance.size(), 1U);
  EXPECT_EQ(fx.attendance[0].what, kind::opened);
  EXPECT_EQ(fx.attendance[0].subject, "p");
  EXPECT_EQ(fx.attendance[0].role, v1::ROLE_PARTICIPANT);
  EXPECT_EQ(fx.attendance[0].at, 1000);
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  fx = room_.handle(1, leave, 5000);
  ASSERT_EQ(fx.attendance.size(), 1U);
  EXPECT_EQ(fx.attendance[0].what, kind::closed);
  EXPECT_EQ(fx.attendance[0].at, 5000);
  fx = room_.join(2, person("p", v1::ROLE_PARTICIPANT), 9000);  // back: a new segment
  ASSERT_EQ(fx.attendance.size(), 1U);
  EXPECT_EQ(fx.attendance[0].what, kind::opened);
}

TEST_F(attendance_test, a_reconnect_within_grace_keeps_one_segment) {
  room_.join(1, person("p", v1::ROLE_PARTICIPANT), 1000);
  EXPECT_TRUE(room_.disconnect(1, 2000).attendance.empty());
  EXPECT_TRUE(room_.join(2, person("p", v1::ROLE_PARTICIPANT), 9000).attendance.empty());
  // A replacing connection of someone present changes nothing either.
  EXPECT_TRUE(room_.join(3, person("p", v1::ROLE_PARTICIPANT), 9500).attendance.empty());
}

TEST_F(attendance_test, an_expired_grace_closes_at_the_drop) {
  room_.join(1, person("p", v1::ROLE_PARTICIPANT), 1000);
  room_.disconnect(1, 2000);
  auto fx = room_.wake(17'000);
  ASSERT_EQ(fx.attendance.size(), 1U);
  EXPECT_EQ(fx.attendance[0].what, kind::closed);
  EXPECT_EQ(fx.attendance[0].at, 2000);  // not when the server gave up waiting
}

}  // namespace
}  // namespace hearth::core
