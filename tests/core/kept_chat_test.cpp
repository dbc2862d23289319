// Kept chat with literal times: a session whose plan keeps chat asks the shell
// to store each room chat message and to forget one a facilitator deletes;
// private messages, messages to the facilitators and distress signals are
// never kept, and a session without keep_chat keeps nothing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moderation_fixture.hpp"

namespace hearth::core::testing {
namespace {

class kept_chat_test : public moderation_fixture {
 protected:
  void keeping(bool keep) {
    session_plan plan;
    plan.keep_chat = keep;
    room_.configure(std::move(plan));
    staff_and_group();
  }

  // A room chat with a client_msg_id; returns its effects.
  effects say_once(member_id who, const std::string& text, std::uint64_t id, time_ms now) {
    auto message = mod::chat(text);
    message.mutable_send_chat()->set_client_msg_id(id);
    return run(who, message, now);
  }
};

using kind = kept_chat_change::kind;

TEST_F(kept_chat_test, room_chat_is_kept_with_its_seq_author_role_and_time) {
  keeping(true);
  auto fx = say_once(3, "kept words", 7, 10'000);
  ASSERT_TRUE(fx.reply && fx.reply->has_chat());
  ASSERT_EQ(fx.kept_chat.size(), 1U);
  const auto& kept = fx.kept_chat[0];
  EXPECT_EQ(kept.what, kind::sent);
  EXPECT_EQ(kept.seq, fx.reply->chat().seq());
  EXPECT_EQ(kept.author, "a");
  EXPECT_EQ(kept.role, v1::ROLE_PARTICIPANT);
  EXPECT_EQ(kept.text, "kept words");
  EXPECT_EQ(kept.at, 10'000);
  // A retry is the same message: it is not kept twice.
  EXPECT_TRUE(say_once(3, "kept words", 7, 10'100).kept_chat.empty());
  // A co-facilitator's message is kept under their role in the room.
  fx = run(2, mod::chat("welcome"), 10'200);
  ASSERT_EQ(fx.kept_chat.size(), 1U);
  EXPECT_EQ(fx.kept_chat[0].role, v1::ROLE_CO_FACILITATOR);
}

TEST_F(kept_chat_test, private_chat_staff_chat_distress_and_refusals_are_never_kept) {
  keeping(true);
  EXPECT_TRUE(run(3, private_chat(1, "only for you"), 10'000).kept_chat.empty());
  EXPECT_TRUE(run(1, private_chat(4, "only for you"), 10'100).kept_chat.empty());
  EXPECT_TRUE(run(3, private_chat(0, "to the staff", 0, v1::CHAT_SCOPE_FACILITATORS), 10'200)
                  .kept_chat.empty());
  EXPECT_TRUE(run(3, signal(), 10'300).kept_chat.empty());
  EXPECT_TRUE(run(6, mod::chat("an observer"), 10'400).kept_chat.empty());  // refused
  moderate(1, mod::mute(4, true, false), 10'500);
  EXPECT_TRUE(run(4, mod::chat("muted"), 10'600).kept_chat.empty());  // refused
}

TEST_F(kept_chat_test, chat_in_a_breakout_is_kept_with_its_breakout) {
  keeping(true);
  v1::ClientMessage open;
  auto* plan = open.mutable_breakout()->mutable_open()->add_rooms();
  plan->add_member_ids(3);
  plan->add_member_ids(1);
  ASSERT_TRUE(run(1, open, 9'000).reply->has_breakout());
  auto fx = say_once(3, "in the breakout", 8, 10'000);
  ASSERT_EQ(fx.kept_chat.size(), 1U);
  EXPECT_EQ(fx.kept_chat[0].place, 1U);
  EXPECT_EQ(fx.kept_chat[0].seq, fx.reply->chat().seq());
  // The facilitator with them deletes it in that breakout.
  auto gone = run(1, mod::delete_chat(fx.reply->chat().seq()), 11'000);
  ASSERT_EQ(gone.kept_chat.size(), 1U);
  EXPECT_EQ(gone.kept_chat[0].what, kind::deleted);
  EXPECT_EQ(gone.kept_chat[0].place, 1U);
}

TEST_F(kept_chat_test, a_deleted_message_is_forgotten_once) {
  keeping(true);
  const auto seq = say(3, "regretted", 10'000);
  auto fx = moderate(1, mod::delete_chat(seq), 11'000);
  ASSERT_EQ(fx.kept_chat.size(), 1U);
  EXPECT_EQ(fx.kept_chat[0].what, kind::deleted);
  EXPECT_EQ(fx.kept_chat[0].seq, seq);
  EXPECT_EQ(fx.kept_chat[0].text, "");
  EXPECT_EQ(fx.kept_chat[0].at, 11'000);
  EXPECT_TRUE(moderate(2, mod::delete_chat(seq), 12'000).kept_chat.empty());
  // A participant may not delete: nothing is forgotten.
  const auto other = say(4, "stays", 12'500);
  EXPECT_TRUE(run(3, mod::delete_chat(other), 13'000).kept_chat.empty());
}

TEST_F(kept_chat_test, a_session_without_keep_chat_keeps_nothing) {
  keeping(false);
  auto fx = run(3, mod::chat("not kept"), 10'000);
  ASSERT_TRUE(fx.reply && fx.reply->has_chat());
  EXPECT_TRUE(fx.kept_chat.empty());
  EXPECT_TRUE(moderate(1, mod::delete_chat(fx.reply->chat().seq()), 11'000).kept_chat.empty());
}

}  // namespace
}  // namespace hearth::core::testing
