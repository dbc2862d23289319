// The load generator's wire-format scan of chat events and chat replies must
// agree with protobuf's own decoding: what it reads as a chat is one, with the
// same text, and what it cannot vouch for it leaves to the full decode.
// The seed is printed; HEARTH_TEST_SEED=N replays one run.
#include "chat_scan.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

#include "hearth/v1/envelope.pb.h"

namespace hearth::bench {
namespace {

std::string chat_event(std::string_view text) {
  v1::ServerMessage message;
  auto* event = message.mutable_event();
  event->set_room_id("b17");
  event->set_seq(4242);
  event->set_server_time_ms(1'790'000'000'000);
  auto* chat = event->mutable_chat();
  chat->set_from_member_id(7);
  chat->set_text(std::string(text));
  chat->set_scope(v1::CHAT_SCOPE_ROOM);
  chat->set_sent_at_ms(1'790'000'000'001);
  return message.SerializeAsString();
}

std::string chat_reply(std::uint32_t request_id) {
  v1::ServerMessage message;
  message.mutable_reply()->set_request_id(request_id);
  message.mutable_reply()->mutable_chat()->set_seq(99);
  return message.SerializeAsString();
}

std::string hex(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    constexpr std::string_view digits = "0123456789abcdef";
    out += digits[static_cast<std::uint8_t>(c) >> 4U];
    out += digits[static_cast<std::uint8_t>(c) & 15U];
  }
  return out;
}

TEST(chat_scan, reads_the_text_of_a_room_chat_event) {
  const std::string text = "hello \xE2\x80\x94 with a 300-byte tail " + std::string(300, 'x');
  const std::string bytes = chat_event(text);  // the scan's text points into it
  const auto scanned = scan_server_message(bytes);
  EXPECT_EQ(scanned.kind, scanned_kind::room_chat);
  EXPECT_EQ(scanned.text, text);
  EXPECT_EQ(scan_server_message(chat_event("")).kind, scanned_kind::room_chat);
}

TEST(chat_scan, leaves_a_text_that_is_not_utf8_to_the_full_decode) {
  for (const std::string bad : {"\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xE2\x80"}) {
    std::string bytes = chat_event("<" + std::string(bad.size(), '.') + ">");
    bytes.replace(bytes.find('<') + 1, bad.size(), bad);
    EXPECT_EQ(scan_server_message(bytes).kind, scanned_kind::other);
  }
  EXPECT_EQ(scan_server_message(chat_event("\xF0\x9F\x8C\xB1 ok")).kind, scanned_kind::room_chat);
}

TEST(chat_scan, recognizes_a_chat_reply_and_nothing_else_as_one) {
  EXPECT_EQ(scan_server_message(chat_reply(12)).kind, scanned_kind::chat_reply);

  v1::ServerMessage failed;
  failed.mutable_reply()->set_request_id(12);
  failed.mutable_reply()->mutable_error()->set_code(v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(scan_server_message(failed.SerializeAsString()).kind, scanned_kind::other);

  v1::ServerMessage joined;
  joined.mutable_reply()->set_request_id(2);
  joined.mutable_reply()->mutable_join()->set_member_id(3);
  EXPECT_EQ(scan_server_message(joined.SerializeAsString()).kind, scanned_kind::other);
}

TEST(chat_scan, leaves_other_messages_to_the_full_decode) {
  v1::ServerMessage presence;
  presence.mutable_event()->set_seq(3);
  presence.mutable_event()->mutable_member_joined();
  EXPECT_EQ(scan_server_message(presence.SerializeAsString()).kind, scanned_kind::other);

  v1::ServerMessage ping;
  ping.mutable_ping()->set_nonce(5);
  EXPECT_EQ(scan_server_message(ping.SerializeAsString()).kind, scanned_kind::other);

  v1::ServerMessage disconnect;
  disconnect.mutable_disconnect()->set_code(4403);
  EXPECT_EQ(scan_server_message(disconnect.SerializeAsString()).kind, scanned_kind::other);

  EXPECT_EQ(scan_server_message("").kind, scanned_kind::other);
  // A chat event followed by a second message kind: the oneof's last wins.
  EXPECT_EQ(scan_server_message(chat_event("hi") + ping.SerializeAsString()).kind,
            scanned_kind::other);
}

TEST(chat_scan, never_vouches_for_bytes_protobuf_reads_otherwise) {
  std::uint64_t seed = std::random_device{}();
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any test thread exists
  if (const char* fixed = std::getenv("HEARTH_TEST_SEED")) {
    seed = std::strtoull(fixed, nullptr, 10);
  }
  std::cout << "chat_scan seed " << seed << " (HEARTH_TEST_SEED=" << seed << " replays it)"
            << std::endl;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  int chats = 0;
  int replies = 0;
  for (int round = 0; round < 20'000; ++round) {
    std::string bytes = random() % 2 == 0
                            ? chat_event(std::string(random() % 200, 'a'))
                            : chat_reply(static_cast<std::uint32_t>(random() % 100'000));
    // Damage it: flip, drop or insert a few bytes, or cut it short.
    const auto damage = random() % 4;
    for (std::uint64_t i = 0; i < damage && !bytes.empty(); ++i) {
      const auto at = random() % bytes.size();
      switch (random() % 4) {
        case 0:
          bytes[at] = static_cast<char>(random());
          break;
        case 1:
          bytes.erase(at, 1);
          break;
        case 2:
          bytes.insert(at, 1, static_cast<char>(random()));
          break;
        default:
          bytes.resize(at);
      }
    }
    const auto scanned = scan_server_message(bytes);
    if (scanned.kind == scanned_kind::other) {
      continue;
    }
    v1::ServerMessage decoded;
    ASSERT_TRUE(decoded.ParsePartialFromString(bytes)) << "round " << round << ": " << hex(bytes);
    if (scanned.kind == scanned_kind::room_chat) {
      ++chats;
      ASSERT_TRUE(decoded.has_event() && decoded.event().has_chat()) << "round " << round;
      ASSERT_EQ(decoded.event().chat().text(), scanned.text) << "round " << round;
    } else {
      ++replies;
      ASSERT_TRUE(decoded.has_reply() && decoded.reply().has_chat()) << "round " << round;
    }
  }
  // Undamaged messages alone make about a quarter of the rounds each kind.
  EXPECT_GT(chats, 2'000);
  EXPECT_GT(replies, 2'000);
}

}  // namespace
}  // namespace hearth::bench
