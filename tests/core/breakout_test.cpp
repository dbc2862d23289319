// Breakout rooms with literal times: splitting by hand, evenly and by family;
// each room's own stream, floor and chat; moves, visits, calls for a
// facilitator, broadcasts, the timer's warning and the recall.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

v1::ClientMessage wrap(v1::BreakoutCommand c) {
  v1::ClientMessage out;
  *out.mutable_breakout() = std::move(c);
  return out;
}
v1::ClientMessage by_hand(const std::vector<std::vector<member_id>>& rooms,
                          std::uint32_t duration = 0, std::uint32_t warning = 0) {
  v1::BreakoutCommand c;
  auto* open = c.mutable_open();
  open->set_split(v1::BREAKOUT_SPLIT_BY_HAND);
  for (std::size_t i = 0; i < rooms.size(); ++i) {
    auto* plan = open->add_rooms();
    plan->set_name("Room " + std::string(1, static_cast<char>('A' + i)));
    for (member_id id : rooms[i]) {
      plan->add_member_ids(id);
    }
  }
  open->set_duration_ms(duration);
  open->set_warning_ms(warning);
  return wrap(c);
}
v1::ClientMessage auto_split(v1::BreakoutSplit split, std::uint32_t count = 0) {
  v1::BreakoutCommand c;
  c.mutable_open()->set_split(split);
  c.mutable_open()->set_count(count);
  return wrap(c);
}
v1::ClientMessage move_to(member_id m, std::uint32_t breakout) {
  v1::BreakoutCommand c;
  c.mutable_move()->set_member_id(m);
  c.mutable_move()->set_breakout_id(breakout);
  return wrap(c);
}
v1::ClientMessage enter(std::uint32_t breakout) {
  v1::BreakoutCommand c;
  c.mutable_enter()->set_breakout_id(breakout);
  return wrap(c);
}
v1::ClientMessage recall() {
  v1::BreakoutCommand c;
  c.mutable_recall();
  return wrap(c);
}
v1::ClientMessage broadcast(const std::string& text) {
  v1::BreakoutCommand c;
  c.mutable_broadcast()->set_text(text);
  return wrap(c);
}
v1::ClientMessage call() {
  v1::BreakoutCommand c;
  c.mutable_call_facilitator();
  return wrap(c);
}
v1::ClientMessage floor_message(const v1::FloorCommand& command) {
  v1::ClientMessage m;
  *m.mutable_floor() = command;
  return m;
}

// "room@1:chat", "direct:3:facilitator_called", "others@1:typing".
std::vector<std::string> routed(const effects& fx) {
  std::vector<std::string> out;
  for (const auto& e : fx.events) {
    const auto* field = e.event.GetDescriptor()->FindOneofByName("body");
    const auto* body = e.event.GetReflection()->GetOneofFieldDescriptor(e.event, field);
    const std::string name = body == nullptr ? "none" : body->name();
    switch (e.to.kind) {
      case audience_kind::room_stream:
        out.push_back("room@" + std::to_string(e.to.place) + ":" + name);
        break;
      case audience_kind::direct:
        out.push_back("direct:" + std::to_string(e.to.member) + ":" + name);
        break;
      case audience_kind::everyone_but:
        out.push_back("others@" + std::to_string(e.to.place) + ":" + name);
        break;
      case audience_kind::direct_ephemeral:
        out.push_back("ephemeral:" + std::to_string(e.to.member) + ":" + name);
        break;
    }
  }
  return out;
}

// Where each move of `fx` sends whom: {member, place}.
std::vector<std::pair<member_id, std::uint32_t>> moves(const effects& fx) {
  std::vector<std::pair<member_id, std::uint32_t>> out;
  for (const auto& m : fx.moves) {
    out.emplace_back(m.member, m.place);
  }
  return out;
}

class breakout_test : public moderation_fixture {
 protected:
  effects breakout(member_id who, const v1::ClientMessage& message, time_ms now) {
    auto fx = run(who, message, now);
    EXPECT_TRUE(fx.reply && fx.reply->has_breakout())
        << (fx.reply && fx.reply->has_error() ? fx.reply->error().message() : "no reply");
    return fx;
  }
  std::uint32_t place(member_id m) const { return room_.place_of_member(m); }
};

TEST_F(breakout_test, each_breakout_has_its_own_stream_floor_and_chat) {
  staff_and_group();  // 1 f, 2 co, 3 a, 4 b, 5 fam, 6 o
  auto fx = breakout(1, by_hand({{3, 5}, {4}}), 10'000);
  EXPECT_EQ(moves(fx), (std::vector<std::pair<member_id, std::uint32_t>>{{3, 1}, {5, 1}, {4, 2}}));
  EXPECT_EQ(routed(fx),
            (std::vector<std::string>{"room@0:breakouts_changed", "room@1:breakouts_changed",
                                      "room@2:breakouts_changed"}));
  const auto& opened = fx.events[0].event.breakouts_changed();
  EXPECT_EQ(opened.change(), v1::BREAKOUT_CHANGE_OPENED);
  ASSERT_EQ(opened.state().rooms_size(), 2);
  EXPECT_EQ(opened.state().rooms(0).name(), "Room A");
  EXPECT_EQ(opened.state().rooms(0).member_ids().size(), 2);
  EXPECT_EQ(fx.events[1].event.breakout_id(), 1U);
  EXPECT_EQ(fx.events[1].event.seq(), 1U);  // each breakout's stream starts at 1
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].action, "breakouts_opened");
  EXPECT_EQ(fx.audit[0].detail, "rooms=2 split=by_hand timer_ms=0");
  EXPECT_EQ(fx.reply->breakout().seq(), room_.head_seq(0));

  const auto snap = room_.snapshot(3, 10'000);
  EXPECT_EQ(snap.breakout_id(), 1U);
  EXPECT_EQ(snap.breakouts().rooms_size(), 2);
  EXPECT_EQ(snap.floor().mode(), v1::FLOOR_MODE_OPEN);  // nobody there to grant hands
  EXPECT_EQ(room_.snapshot(1, 10'000).floor().mode(), v1::FLOOR_MODE_MODERATED);

  // Chat and typing stay in the sender's breakout.
  auto chat = run(3, mod::chat("just us"), 11'000);
  EXPECT_EQ(routed(chat), (std::vector<std::string>{"room@1:chat"}));
  EXPECT_EQ(chat.reply->chat().seq(), room_.head_seq(1));
  EXPECT_EQ(recent_chat_seqs(5, 11'000).size(), 1U);
  EXPECT_TRUE(recent_chat_seqs(4, 11'000).empty());
  EXPECT_TRUE(recent_chat_seqs(1, 11'000).empty());
  v1::ClientMessage typing;
  typing.mutable_typing()->set_active(true);
  EXPECT_EQ(routed(run(5, typing, 11'500)), (std::vector<std::string>{"others@1:typing"}));

  // A raised hand takes the open floor of the breakout; the main floor is untouched.
  auto hand = run(3, floor_message(cmd::raise()), 12'000);
  ASSERT_TRUE(hand.reply && hand.reply->has_floor());
  EXPECT_EQ(room_.snapshot(5, 12'000).floor().turn().member_id(), 3U);
  EXPECT_FALSE(room_.snapshot(1, 12'000).floor().has_turn());
  for (const auto& e : hand.events) {
    EXPECT_EQ(e.to.place, 1U);
  }
  // Moderation is the session's: everyone hears of it, in every room.
  auto muted = moderate(1, mod::mute(4), 13'000);
  EXPECT_EQ(routed(muted),
            (std::vector<std::string>{"room@0:member_moderation", "room@1:member_moderation",
                                      "room@2:member_moderation"}));
}

TEST_F(breakout_test, the_timer_warns_then_recalls_everyone) {
  staff_and_group();
  breakout(1, by_hand({{3, 5}, {4}}, 600'000, 60'000), 10'000);
  EXPECT_EQ(room_.next_wake(), std::optional<time_ms>(550'000));
  EXPECT_TRUE(wake(549'999).events.empty());
  auto warned = wake(550'000);
  EXPECT_EQ(routed(warned),
            (std::vector<std::string>{"room@0:breakouts_changed", "room@1:breakouts_changed",
                                      "room@2:breakouts_changed"}));
  EXPECT_EQ(warned.events[0].event.breakouts_changed().change(), v1::BREAKOUT_CHANGE_ENDING_SOON);
  EXPECT_EQ(warned.events[0].event.breakouts_changed().state().ends_at_ms(), 610'000U);
  EXPECT_EQ(room_.next_wake(), std::optional<time_ms>(610'000));

  auto over = wake(610'000);
  EXPECT_EQ(moves(over),
            (std::vector<std::pair<member_id, std::uint32_t>>{{3, 0}, {4, 0}, {5, 0}}));
  EXPECT_EQ(over.places_closed, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(routed(over), (std::vector<std::string>{"room@0:breakouts_changed"}));
  EXPECT_EQ(over.events[0].event.breakouts_changed().change(), v1::BREAKOUT_CHANGE_CLOSED);
  EXPECT_EQ(over.events[0].event.breakouts_changed().by_member_id(), 0U);
  ASSERT_EQ(over.audit.size(), 1U);
  EXPECT_EQ(over.audit[0].action, "breakouts_recalled");
  EXPECT_EQ(over.audit[0].detail, "timer");
  EXPECT_EQ(room_.snapshot(3, 610'000).breakout_id(), 0U);
  EXPECT_FALSE(room_.snapshot(3, 610'000).has_breakouts());
  EXPECT_EQ(room_.next_wake(), std::nullopt);
}

TEST_F(breakout_test, facilitators_move_people_enter_broadcast_and_recall) {
  staff_and_group();
  breakout(1, by_hand({{3, 5}, {4}}), 10'000);
  run(4, floor_message(cmd::raise()), 11'000);  // 4 holds breakout 2's floor

  // Moving 4 ends their turn in breakout 2; they arrive in breakout 1.
  auto moved = breakout(2, move_to(4, 1), 12'000);
  EXPECT_EQ(moves(moved), (std::vector<std::pair<member_id, std::uint32_t>>{{4, 1}}));
  EXPECT_EQ(moved.events.at(0).to.place, 2U);
  EXPECT_EQ(moved.events.at(0).event.floor().kind(), v1::FLOOR_CHANGE_HOLDER_LEFT);
  EXPECT_EQ(moved.audit.at(0).action, "breakout_move");
  EXPECT_EQ(moved.audit.at(0).target, "b");
  EXPECT_EQ(moved.audit.at(0).detail, "to=1");
  EXPECT_EQ(place(4), 1U);

  // A facilitator visits a breakout and comes back.
  auto visit = breakout(1, enter(2), 13'000);
  EXPECT_EQ(moves(visit), (std::vector<std::pair<member_id, std::uint32_t>>{{1, 2}}));
  EXPECT_EQ(visit.reply->breakout().seq(), room_.head_seq(2));
  EXPECT_EQ(visit.audit.at(0).action, "breakout_entered");
  EXPECT_EQ(room_.snapshot(1, 13'000).breakout_id(), 2U);
  breakout(1, enter(0), 14'000);
  EXPECT_EQ(place(1), 0U);

  // A broadcast reaches every room; its audit record holds no text.
  auto said = breakout(2, broadcast("five minutes left"), 15'000);
  EXPECT_EQ(routed(said),
            (std::vector<std::string>{"room@0:breakout_broadcast", "room@1:breakout_broadcast",
                                      "room@2:breakout_broadcast"}));
  EXPECT_EQ(said.audit.at(0).action, "breakout_broadcast");
  EXPECT_EQ(said.audit.at(0).detail, "");

  auto back = breakout(1, recall(), 16'000);
  EXPECT_EQ(moves(back),
            (std::vector<std::pair<member_id, std::uint32_t>>{{3, 0}, {4, 0}, {5, 0}}));
  EXPECT_EQ(back.audit.at(0).action, "breakouts_recalled");
  EXPECT_EQ(back.reply->breakout().seq(), room_.head_seq(0));
  // Breakout ids are never reused: a new split starts at 3.
  breakout(1, by_hand({{3}}), 17'000);
  EXPECT_EQ(place(3), 3U);
}

TEST_F(breakout_test, a_call_for_a_facilitator_reaches_every_facilitator_wherever_they_are) {
  staff_and_group();
  breakout(1, by_hand({{3, 5, 2}, {4}}), 10'000);  // the co-facilitator leads breakout 1
  auto called = breakout(4, call(), 11'000);
  EXPECT_EQ(routed(called),
            (std::vector<std::string>{"direct:1:facilitator_called", "direct:2:facilitator_called",
                                      "direct:4:facilitator_called"}));
  EXPECT_EQ(called.events[0].event.facilitator_called().breakout_id(), 2U);
  EXPECT_EQ(called.reply->breakout().direct_seq(), room_.direct_head(4));
  EXPECT_EQ(called.audit.at(0).action, "facilitator_called");
  // Only from a breakout, and not by facilitators.
  refused(1, call(), 12'000, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(2, call(), 12'000, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(6, call(), 12'000, v1::ERROR_CODE_FAILED_PRECONDITION);  // the observer stayed in main
  // A distress signal from a breakout still reaches only the facilitators.
  EXPECT_EQ(routed(run(5, signal(), 13'000)),
            (std::vector<std::string>{"direct:1:distress_signal", "direct:2:distress_signal",
                                      "direct:5:distress_signal"}));
}

TEST_F(breakout_test, only_facilitators_manage_breakouts) {
  staff_and_group();
  for (member_id who : {3U, 5U, 6U}) {
    denied(who, by_hand({{3}}), 10'000, "breakouts_opened", "");
  }
  breakout(1, by_hand({{3}, {4}}), 11'000);
  for (member_id who : {3U, 4U, 5U, 6U}) {
    denied(who, move_to(5, 1), 12'000, "breakout_move", "fam");
    denied(who, enter(1), 12'000, "breakout_entered", "");
    denied(who, broadcast("hi"), 12'000, "breakout_broadcast", "");
    denied(who, recall(), 12'000, "breakouts_recalled", "");
  }
}

TEST_F(breakout_test, bad_plans_are_refused_and_change_nothing) {
  staff_and_group();
  refused(1, recall(), 10'000, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(1, move_to(3, 1), 10'000, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(1, by_hand({}), 10'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, by_hand({{3}, {3}}), 10'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, by_hand({{3, 42}}), 10'000, v1::ERROR_CODE_NOT_FOUND);
  refused(1, by_hand({{3}}, 60'000, 60'000), 10'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, by_hand({{3}}, 0, 1'000), 10'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, by_hand({{3}}, 7'200'001), 10'000, v1::ERROR_CODE_LIMIT_EXCEEDED);
  refused(1, auto_split(v1::BREAKOUT_SPLIT_EVEN, 0), 10'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, auto_split(v1::BREAKOUT_SPLIT_EVEN, 21), 10'000, v1::ERROR_CODE_LIMIT_EXCEEDED);
  breakout(1, by_hand({{3}}), 11'000);
  refused(1, by_hand({{4}}), 12'000, v1::ERROR_CODE_FAILED_PRECONDITION);
  refused(1, move_to(4, 9), 12'000, v1::ERROR_CODE_NOT_FOUND);
  refused(1, broadcast(""), 12'000, v1::ERROR_CODE_BAD_REQUEST);
}

TEST_F(breakout_test, even_and_family_splits_keep_families_together) {
  session_plan plan;
  plan.accompanies = {{"fa", "a"}, {"fb", "b"}};
  room_.configure(plan);
  join("f", v1::ROLE_FACILITATOR);     // 1
  join("a", v1::ROLE_PARTICIPANT);     // 2
  join("fb", v1::ROLE_FAMILY_MEMBER);  // 3
  join("b", v1::ROLE_PARTICIPANT);     // 4
  join("c", v1::ROLE_PARTICIPANT);     // 5
  join("fa", v1::ROLE_FAMILY_MEMBER);  // 6
  auto even = breakout(1, auto_split(v1::BREAKOUT_SPLIT_EVEN, 2), 10'000);
  // Units {a, fa}, {fb, b}, {c}: the two families split, c joins the first.
  EXPECT_EQ(place(2), place(6));
  EXPECT_EQ(place(3), place(4));
  EXPECT_NE(place(2), place(4));
  EXPECT_EQ(place(5), place(2));
  EXPECT_EQ(place(1), 0U);  // facilitators stay in the main room
  EXPECT_EQ(even.events.at(0).event.breakouts_changed().state().rooms(1).name(), "Room 2");
  breakout(1, recall(), 11'000);

  breakout(1, auto_split(v1::BREAKOUT_SPLIT_BY_FAMILY), 12'000);
  EXPECT_EQ(room_.snapshot(1, 12'000).breakouts().rooms_size(), 3);
  EXPECT_EQ(place(2), place(6));
  EXPECT_EQ(place(3), place(4));
  EXPECT_NE(place(5), place(2));
  EXPECT_NE(place(5), place(4));
}

TEST_F(breakout_test, a_reconnect_stays_in_the_breakout_and_a_return_enters_the_main_room) {
  staff_and_group();
  breakout(1, by_hand({{3}, {4}}), 10'000);
  run(3, mod::chat("hello"), 11'000);
  drop(3, 12'000);
  auto back = room_.join(100, person("a", v1::ROLE_PARTICIPANT), 13'000);
  conn_of_[3] = 100;
  ASSERT_TRUE(back.reply && back.reply->has_join());
  EXPECT_EQ(back.reply->join().breakout_id(), 1U);
  EXPECT_EQ(back.reply->join().head_seq(), room_.head_seq(1));
  check();

  run(3, v1::ClientMessage(), 13'500);  // unknown command: nothing changes
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  run(3, leave, 14'000);
  auto again = room_.join(101, person("a", v1::ROLE_PARTICIPANT), 15'000);
  ASSERT_TRUE(again.reply && again.reply->has_join());
  EXPECT_EQ(again.reply->join().breakout_id(), 0U);
  EXPECT_EQ(again.reply->join().head_seq(), room_.head_seq(0));
  check();
}

}  // namespace
}  // namespace hearth::core::testing
