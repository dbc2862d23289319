// Distress signals with literal times: who receives a signal and its
// acknowledgement, one open signal per member, who may send what, snapshots,
// the audit notes, and (containment_test) that nothing private ever reaches
// anyone it is not for, through any effect or any snapshot.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "safety_fixture.hpp"

namespace hearth::core::testing {
namespace {

using safety_test = safety_fixture;

TEST_F(safety_test, a_signal_reaches_every_facilitator_and_confirms_to_the_sender) {
  staff_and_group();
  const auto head = room_.head_seq();
  const auto before = direct_heads();
  auto fx = run(3, signal(), 10'000);
  ASSERT_TRUE(fx.reply && fx.reply->has_distress());
  EXPECT_EQ(fx.reply->distress().signal_id(), 1U);
  EXPECT_FALSE(fx.reply->distress().duplicate());
  EXPECT_EQ(deliveries(fx),
            (std::vector<std::string>{"direct:1:distress_signal", "direct:2:distress_signal",
                                      "direct:3:distress_signal"}));
  for (const auto& e : fx.events) {
    EXPECT_EQ(e.event.seq(), 0U);
    EXPECT_EQ(e.event.direct_seq(), before.at(e.to.member) + 1);
    EXPECT_EQ(e.event.server_time_ms(), 10'000U);
    EXPECT_EQ(e.event.distress_signal().signal_id(), 1U);
    EXPECT_EQ(e.event.distress_signal().from_member_id(), 3U);
    EXPECT_EQ(e.event.distress_signal().raised_at_ms(), 10'000U);
  }
  EXPECT_EQ(room_.head_seq(), head);  // no trace in the room stream
  ASSERT_EQ(fx.audit.size(), 1U);
  const auto& note = fx.audit[0];
  EXPECT_EQ(note.actor, "a");
  EXPECT_EQ(note.actor_role, v1::ROLE_PARTICIPANT);
  EXPECT_EQ(note.action, "distress_signaled");
  EXPECT_EQ(note.target, "a");
  EXPECT_EQ(note.outcome, "ok");
  EXPECT_EQ(note.detail, "signal=1");
  EXPECT_EQ(note.at, 10'000);
}

TEST_F(safety_test, a_repeat_while_open_returns_the_same_signal_and_sends_nothing) {
  staff_and_group();
  run(5, signal(), 10'000);  // the family member: signal 1
  const auto facilitator_head = room_.direct_head(1);
  auto again = run(5, signal(), 11'000);
  ASSERT_TRUE(again.reply && again.reply->has_distress());
  EXPECT_EQ(again.reply->distress().signal_id(), 1U);
  EXPECT_TRUE(again.reply->distress().duplicate());
  EXPECT_TRUE(again.events.empty());
  EXPECT_TRUE(again.audit.empty());
  EXPECT_EQ(room_.direct_head(1), facilitator_head);
  EXPECT_EQ(room_.direct_head(5), 1U);
  // Another member's signal is a new one.
  EXPECT_EQ(run(3, signal(), 12'000).reply->distress().signal_id(), 2U);
}

TEST_F(safety_test, acknowledging_tells_the_sender_and_every_facilitator_once) {
  staff_and_group();
  run(3, signal(), 10'000);
  const auto before = direct_heads();
  auto fx = run(2, acknowledge(1), 12'500);  // the co-facilitator
  ASSERT_TRUE(fx.reply && fx.reply->has_distress());
  EXPECT_EQ(fx.reply->distress().signal_id(), 1U);
  EXPECT_FALSE(fx.reply->distress().duplicate());
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"direct:3:distress_acknowledged",
                                                      "direct:1:distress_acknowledged",
                                                      "direct:2:distress_acknowledged"}));
  for (const auto& e : fx.events) {
    EXPECT_EQ(e.event.direct_seq(), before.at(e.to.member) + 1);
    EXPECT_EQ(e.event.distress_acknowledged().signal_id(), 1U);
    EXPECT_EQ(e.event.distress_acknowledged().by_member_id(), 2U);
    EXPECT_EQ(e.event.distress_acknowledged().at_ms(), 12'500U);
  }
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].actor, "co");
  EXPECT_EQ(fx.audit[0].actor_role, v1::ROLE_CO_FACILITATOR);
  EXPECT_EQ(fx.audit[0].action, "distress_acknowledged");
  EXPECT_EQ(fx.audit[0].target, "a");
  EXPECT_EQ(fx.audit[0].detail, "signal=1");
  EXPECT_EQ(fx.audit[0].at, 12'500);
  EXPECT_TRUE(open_in_snapshot(1).empty());
  EXPECT_TRUE(open_in_snapshot(3).empty());

  // Twice: a success that sends and records nothing.
  auto twice = run(1, acknowledge(1), 13'000);
  ASSERT_TRUE(twice.reply && twice.reply->has_distress());
  EXPECT_TRUE(twice.reply->distress().duplicate());
  EXPECT_TRUE(twice.events.empty());
  EXPECT_TRUE(twice.audit.empty());

  // Closed: the member may signal again, with a new number.
  EXPECT_EQ(run(3, signal(), 20'000).reply->distress().signal_id(), 2U);
}

TEST_F(safety_test, only_participants_and_family_signal_and_only_facilitators_acknowledge) {
  staff_and_group();
  refused(1, signal(), 10'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(2, signal(), 10'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(6, signal(), 10'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(1, acknowledge(1), 10'000, v1::ERROR_CODE_NOT_FOUND);  // nothing raised yet
  run(3, signal(), 11'000);
  refused(3, acknowledge(1), 12'000, v1::ERROR_CODE_PERMISSION_DENIED);  // not even one's own
  refused(4, acknowledge(1), 12'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(5, acknowledge(1), 12'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(6, acknowledge(1), 12'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(1, acknowledge(2), 12'000, v1::ERROR_CODE_NOT_FOUND);
  refused(1, acknowledge(0), 12'000, v1::ERROR_CODE_NOT_FOUND);
  EXPECT_EQ(open_in_snapshot(1), (std::vector<std::uint32_t>{1}));
}

TEST_F(safety_test, a_signal_with_no_facilitator_waits_for_the_next_one_to_join) {
  join("a", v1::ROLE_PARTICIPANT, 1000);  // member 1
  join("b", v1::ROLE_PARTICIPANT, 1000);  // member 2
  auto fx = run(1, signal(), 5000);
  ASSERT_TRUE(fx.reply && fx.reply->has_distress());
  EXPECT_EQ(fx.reply->distress().signal_id(), 1U);
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"direct:1:distress_signal"}));
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].detail, "signal=1 no_facilitator");

  // A facilitator arrives: the signal is in their snapshot, and on their direct
  // stream as part of the join (covered by direct_head_seq, replayed on resume).
  auto arrival = room_.join(50, person("f", v1::ROLE_FACILITATOR), 8000);
  ASSERT_TRUE(arrival.reply && arrival.reply->has_join());
  const member_id f = arrival.reply->join().member_id();
  conn_of_[f] = 50;
  check();
  EXPECT_EQ(deliveries(arrival),
            (std::vector<std::string>{"room:0:member_joined", "direct:3:distress_signal"}));
  EXPECT_EQ(arrival.reply->join().direct_head_seq(), 1U);
  const auto snap = room_.snapshot(f, 8000);
  ASSERT_EQ(snap.open_distress_size(), 1);
  EXPECT_EQ(snap.open_distress(0).signal_id(), 1U);
  EXPECT_EQ(snap.open_distress(0).from_member_id(), 1U);
  EXPECT_EQ(snap.open_distress(0).raised_at_ms(), 5000U);
  EXPECT_TRUE(open_in_snapshot(2, 8000).empty());

  // A participant joining sees nothing of it.
  auto other = room_.join(51, person("c", v1::ROLE_PARTICIPANT), 9000);
  EXPECT_EQ(deliveries(other), (std::vector<std::string>{"room:0:member_joined"}));
  EXPECT_EQ(other.reply->join().direct_head_seq(), 0U);

  auto ack = run(f, acknowledge(1), 9500);
  EXPECT_EQ(deliveries(ack), (std::vector<std::string>{"direct:1:distress_acknowledged",
                                                       "direct:3:distress_acknowledged"}));
}

TEST_F(safety_test, reconnecting_facilitators_still_receive_and_a_left_sender_keeps_the_signal) {
  staff_and_group();
  drop(1, 9000);  // the facilitator is reconnecting
  auto fx = run(3, signal(), 10'000);
  EXPECT_EQ(deliveries(fx),
            (std::vector<std::string>{"direct:1:distress_signal", "direct:2:distress_signal",
                                      "direct:3:distress_signal"}));
  // The sender leaves: the signal stays open for the facilitators, and the
  // acknowledgement still goes to the sender's direct stream.
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  run(3, leave, 11'000);
  EXPECT_EQ(open_in_snapshot(2, 11'000), (std::vector<std::uint32_t>{1}));
  auto ack = run(2, acknowledge(1), 12'000);
  EXPECT_EQ(deliveries(ack), (std::vector<std::string>{"direct:3:distress_acknowledged",
                                                       "direct:1:distress_acknowledged",
                                                       "direct:2:distress_acknowledged"}));
  EXPECT_EQ(ack.audit.at(0).target, "a");
}

TEST_F(safety_test, snapshots_show_all_open_signals_to_facilitators_and_only_ones_own_else) {
  staff_and_group();
  run(3, signal(), 10'000);
  run(5, signal(), 10'500);
  EXPECT_EQ(open_in_snapshot(1), (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(open_in_snapshot(2), (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(open_in_snapshot(3), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(open_in_snapshot(5), (std::vector<std::uint32_t>{2}));
  EXPECT_TRUE(open_in_snapshot(4).empty());
  EXPECT_TRUE(open_in_snapshot(6).empty());
  EXPECT_TRUE(open_in_snapshot(0).empty());  // no viewer
  run(1, acknowledge(1), 11'000);
  EXPECT_EQ(open_in_snapshot(1), (std::vector<std::uint32_t>{2}));
  EXPECT_TRUE(open_in_snapshot(3).empty());
}

// Every effect of a scripted session and every snapshot along the way: a
// distress event or a private chat reaches only a facilitator, its sender or
// (private chat) its recipient, only on a direct stream, and never shows in a
// snapshot of anyone else.
class containment_test : public safety_fixture {
 protected:
  void step(member_id who, const v1::ClientMessage& message, time_ms now) {
    inspect(run(who, message, now), now);
  }

  void inspect(const effects& fx, time_ms now) {
    for (const auto& delivery : fx.events) {
      const auto& e = delivery.event;
      const bool distress = e.has_distress_signal() || e.has_distress_acknowledged();
      const bool private_chat = e.has_chat() && e.chat().scope() != v1::CHAT_SCOPE_ROOM;
      if (!distress && !private_chat) {
        continue;
      }
      ++private_events_;
      ASSERT_EQ(delivery.to.kind, audience_kind::direct) << e.ShortDebugString();
      EXPECT_EQ(e.seq(), 0U);
      const member_id to = delivery.to.member;
      const member* recipient = room_.people().find(to);
      ASSERT_NE(recipient, nullptr);
      const bool staff = is_facilitator(recipient->who.role);
      if (e.has_distress_signal()) {
        sender_of_[e.distress_signal().signal_id()] = e.distress_signal().from_member_id();
        EXPECT_TRUE(staff || to == e.distress_signal().from_member_id()) << to;
      } else if (e.has_distress_acknowledged()) {
        EXPECT_TRUE(staff || to == sender_of_.at(e.distress_acknowledged().signal_id())) << to;
      } else if (e.chat().scope() == v1::CHAT_SCOPE_PRIVATE) {
        const member* from = room_.people().find(e.chat().from_member_id());
        ASSERT_NE(from, nullptr);
        EXPECT_TRUE(to == from->id ||
                    (to == e.chat().to_member_id() && (staff || is_facilitator(from->who.role))))
            << to;
      } else {
        EXPECT_TRUE(staff || to == e.chat().from_member_id()) << to;
      }
    }
    for (const member* m : room_.people().active_members()) {
      const auto snap = room_.snapshot(m->id, now);
      for (const auto& chat : snap.recent_chat()) {
        EXPECT_EQ(chat.scope(), v1::CHAT_SCOPE_ROOM);
      }
      if (!is_facilitator(m->who.role)) {
        EXPECT_LE(snap.open_distress_size(), 1);
        for (const auto& s : snap.open_distress()) {
          EXPECT_EQ(s.from_member_id(), m->id) << "member " << m->id << " sees another's signal";
        }
      }
    }
  }

  std::map<std::uint32_t, member_id> sender_of_;
  int private_events_ = 0;
};

TEST_F(containment_test, nothing_private_reaches_anyone_else) {
  join("a", v1::ROLE_PARTICIPANT, 1000);                                   // 1
  join("fam", v1::ROLE_FAMILY_MEMBER);                                     // 2
  step(1, signal(), 2000);                                                 // no facilitator yet
  inspect(room_.join(40, person("f", v1::ROLE_FACILITATOR), 3000), 3000);  // 3
  conn_of_[3] = 40;
  join("o", v1::ROLE_OBSERVER, 3100);         // 4, admitted from the lobby by the facilitator
  join("b", v1::ROLE_PARTICIPANT, 3500);      // 5
  join("co", v1::ROLE_CO_FACILITATOR, 3600);  // 6
  step(2, signal(), 4000);
  step(2, signal(), 4100);  // repeat
  step(5, private_chat(3, "b to f"), 4200);
  step(4, private_chat(6, "o to co"), 4300);
  step(3, private_chat(4, "f to o"), 4400);
  step(6, private_chat(5, "co to b"), 4500);
  step(1, private_chat(5, "a to b"), 4600);  // refused
  step(4, private_chat(1, "o to a"), 4700);  // refused
  step(5, private_chat(2, "hi", 0, v1::CHAT_SCOPE_FACILITATORS), 4800);
  step(1, acknowledge(1), 4900);  // refused: a participant
  step(6, acknowledge(1), 5000);
  step(3, acknowledge(1), 5100);  // twice
  inspect(drop(3, 5200), 5200);
  step(5, signal(), 5300);  // reaches the reconnecting facilitator too
  inspect(room_.join(41, person("f", v1::ROLE_FACILITATOR), 5400), 5400);
  conn_of_[3] = 41;
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  step(3, leave, 5500);
  step(6, acknowledge(3), 5600);
  inspect(room_.join(42, person("f", v1::ROLE_FACILITATOR), 5700), 5700);  // back
  conn_of_[3] = 42;
  step(3, acknowledge(2), 5800);
  EXPECT_GT(private_events_, 20);
  EXPECT_TRUE(room_.snapshot(3, 6000).open_distress().empty());
}

}  // namespace
}  // namespace hearth::core::testing
