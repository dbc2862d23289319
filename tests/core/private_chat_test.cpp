// Private messages with literal times: a facilitator to any one member,
// everyone else only to a facilitator, validation, and retries.
#include <gtest/gtest.h>

#include <string>

#include "safety_fixture.hpp"

namespace hearth::core::testing {
namespace {

using private_chat_test = safety_fixture;

TEST_F(private_chat_test, a_facilitator_writes_privately_to_any_one_member) {
  staff_and_group();
  const auto head = room_.head_seq();
  for (member_id to : {2U, 3U, 5U, 6U}) {
    auto fx = run(1, private_chat(to, "just you"), 10'000);
    ASSERT_TRUE(fx.reply && fx.reply->has_chat()) << to;
    EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"direct:" + std::to_string(to) + ":chat",
                                                        "direct:1:chat"}));
    for (const auto& e : fx.events) {
      EXPECT_EQ(e.event.chat().scope(), v1::CHAT_SCOPE_PRIVATE);
      EXPECT_EQ(e.event.chat().from_member_id(), 1U);
      EXPECT_EQ(e.event.chat().to_member_id(), to);
      EXPECT_EQ(e.event.chat().text(), "just you");
      EXPECT_EQ(e.event.seq(), 0U);
    }
    EXPECT_EQ(fx.reply->chat().direct_seq(), room_.direct_head(1));
    EXPECT_EQ(fx.reply->chat().seq(), 0U);
    EXPECT_TRUE(fx.audit.empty());
  }
  EXPECT_EQ(room_.head_seq(), head);
  EXPECT_EQ(room_.snapshot(3, 10'000).recent_chat_size(), 0);
}

TEST_F(private_chat_test, everyone_else_writes_privately_only_to_a_facilitator) {
  staff_and_group();
  for (member_id from : {3U, 5U, 6U}) {
    for (member_id to : {1U, 2U}) {
      auto fx = run(from, private_chat(to, "for you"), 10'000);
      ASSERT_TRUE(fx.reply && fx.reply->has_chat()) << from << "->" << to;
      EXPECT_EQ(deliveries(fx),
                (std::vector<std::string>{"direct:" + std::to_string(to) + ":chat",
                                          "direct:" + std::to_string(from) + ":chat"}));
    }
  }
  refused(3, private_chat(4, "psst"), 11'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(3, private_chat(6, "psst"), 11'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(6, private_chat(3, "psst"), 11'000, v1::ERROR_CODE_PERMISSION_DENIED);
  refused(5, private_chat(4, "psst"), 11'000, v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST_F(private_chat_test, private_chat_validation) {
  staff_and_group();
  refused(1, private_chat(99, "x"), 10'000, v1::ERROR_CODE_NOT_FOUND);
  refused(1, private_chat(1, "x"), 10'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(3, private_chat(3, "x"), 10'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, private_chat(0, "x"), 10'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(1, private_chat(3, ""), 10'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(3, private_chat(1, "x", 0, v1::CHAT_SCOPE_ROOM), 10'000, v1::ERROR_CODE_BAD_REQUEST);
  refused(3, private_chat(1, "x", 0, v1::CHAT_SCOPE_FACILITATORS), 10'000,
          v1::ERROR_CODE_BAD_REQUEST);
  v1::ClientMessage leave;
  leave.mutable_leave_room();
  run(4, leave, 10'500);
  refused(1, private_chat(4, "x"), 11'000, v1::ERROR_CODE_NOT_FOUND);  // left
  // Reconnecting is still in the room: the message waits on their direct stream.
  drop(3, 11'000);
  auto fx = run(1, private_chat(3, "when you are back"), 12'000);
  EXPECT_EQ(deliveries(fx), (std::vector<std::string>{"direct:3:chat", "direct:1:chat"}));
}

TEST_F(private_chat_test, a_retried_private_chat_is_applied_once) {
  staff_and_group();
  const auto before = direct_heads();
  auto first = run(3, private_chat(1, "hello", 42), 10'000);
  auto again = run(3, private_chat(1, "hello", 42), 10'400);
  ASSERT_TRUE(again.reply && again.reply->has_chat());
  EXPECT_TRUE(again.reply->chat().duplicate());
  EXPECT_EQ(again.reply->chat().direct_seq(), first.reply->chat().direct_seq());
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(room_.direct_head(1), before.at(1) + 1);
  EXPECT_EQ(room_.direct_head(3), before.at(3) + 1);
}

}  // namespace
}  // namespace hearth::core::testing
