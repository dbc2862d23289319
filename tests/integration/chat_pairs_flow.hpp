// Shared by the batched-send tests (plain and TLS): the first member sends
// frames of two chats each, so one turn of the server writes twice to every
// member; everyone, the sender too, gets every chat once and in order.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server_process.hpp"
#include "wire/frame_codec.hpp"

namespace hearth::testing {

inline void two_chats_per_frame_reach_everyone_in_order(
    std::vector<std::unique_ptr<client::ws_client>>& members) {
  using namespace std::chrono_literals;
  const auto is_chat = [](const v1::Event& e) { return e.has_chat(); };
  const auto chat = [](std::uint32_t request_id, const std::string& text) {
    v1::ClientMessage m;
    m.set_request_id(request_id);
    m.mutable_send_chat()->set_text(text);
    return m;
  };
  auto& sender = *members.front();
  const int rounds = 20;
  const std::uint32_t first_request = 1001;
  std::uint32_t request_id = first_request;
  for (int round = 0; round < rounds; ++round) {
    std::string frame(wire::encode(chat(request_id++, "a" + std::to_string(round))).view());
    frame += wire::encode(chat(request_id++, "b" + std::to_string(round))).view();
    ASSERT_TRUE(sender.send_raw(frame));
  }
  for (auto& member : members) {
    const bool is_sender = member.get() == &sender;
    std::uint32_t last_seq = 0;
    int chats = 0;
    std::size_t replies = 0;
    while (chats < 2 * rounds || (is_sender && replies < request_id - first_request)) {
      auto m = member->receive(5s);
      ASSERT_TRUE(m) << "got " << chats << " chats and " << replies << " replies";
      if (m->has_reply() && m->reply().request_id() >= first_request) {
        EXPECT_TRUE(m->reply().has_chat()) << m->reply().DebugString();
        ++replies;
      }
      if (!m->has_event() || !is_chat(m->event())) {
        continue;
      }
      const auto& e = m->event();
      EXPECT_EQ(e.chat().text(), (chats % 2 == 0 ? "a" : "b") + std::to_string(chats / 2));
      if (last_seq != 0) {
        EXPECT_EQ(e.seq(), last_seq + 1) << "gap in the room stream";
      }
      last_seq = e.seq();
      ++chats;
    }
    EXPECT_FALSE(await_event(*member, is_chat, 200ms)) << "a chat was delivered twice";
  }
}

}  // namespace hearth::testing
