// Shared by the paused-reader tests (plain and TLS): one member sends numbered
// 1 kB chats while another does not read, so the kernel's buffers fill and
// the server's writes to the paused one come out partial and go on later;
// then the paused one reads everything back.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "server_process.hpp"

namespace hearth::testing {

inline std::string backlog_text(int i) {
  return std::to_string(i) + ":" + std::string(1000, static_cast<char>('a' + i % 26));
}

// Sends `messages` chats, waiting for every fiftieth answer and reading the
// sender's own socket meanwhile (its own events must not pile up).
inline void send_backlog(client::ws_client& sender, int messages) {
  using namespace std::chrono_literals;
  for (int i = 0; i < messages; ++i) {
    const auto sent = sender.chat(backlog_text(i));
    if (i % 50 == 49 || i + 1 == messages) {
      ASSERT_TRUE(sender.await_reply(sent, 10s)) << "chat " << i << " unanswered";
    }
    while (sender.receive(0ms)) {
    }
  }
}

// Reads until every chat has arrived: each once, whole and in order.
inline void expect_backlog(client::ws_client& reader, int messages) {
  using namespace std::chrono_literals;
  int received = 0;
  std::uint32_t last_seq = 0;
  while (received < messages) {
    auto m = reader.receive(5s);
    ASSERT_TRUE(m) << "got " << received << " of " << messages
                   << (reader.closed() ? ", closed with " + std::to_string(reader.close_code())
                                       : std::string(", still open"));
    if (!m->has_event() || !m->event().has_chat()) {
      continue;
    }
    if (last_seq != 0) {
      ASSERT_EQ(m->event().seq(), last_seq + 1);
    }
    last_seq = m->event().seq();
    ASSERT_EQ(m->event().chat().text(), backlog_text(received));
    ++received;
  }
}

}  // namespace hearth::testing
