// A real hearthd with its sends batched per turn (the default) and one by one
// (--batch-sends=false): a member that gets two writes in one turn (two chats
// in one frame) gets them in order, each once, as does everyone else; and
// sending one by one, a paused reader still gets its whole backlog. The TLS
// case is in tls_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backlog_flow.hpp"
#include "chat_pairs_flow.hpp"
#include "server_process.hpp"

namespace hearth::testing {
namespace {

std::vector<std::unique_ptr<client::ws_client>> room_of_four(const server_process& server) {
  std::vector<std::unique_ptr<client::ws_client>> members;
  members.reserve(4);
  for (int i = 0; i < 4; ++i) {
    members.push_back(server.join(
        server.mint("r1", i == 0 ? "facilitator" : "participant", "s" + std::to_string(i), "n")));
  }
  return members;
}

TEST(send_batch, two_chats_in_one_frame_reach_everyone_in_order) {
  server_process server;
  auto members = room_of_four(server);
  two_chats_per_frame_reach_everyone_in_order(members);
}

TEST(send_batch, two_chats_in_one_frame_reach_everyone_in_order_sent_one_by_one) {
  server_process server({"--batch-sends=false"});
  auto members = room_of_four(server);
  two_chats_per_frame_reach_everyone_in_order(members);
}

TEST(send_batch, sent_one_by_one_a_paused_reader_gets_its_whole_backlog_in_order) {
  server_process server({"--batch-sends=false", "--max-outbound-queue-bytes", "33554432",
                         "--rate-per-second", "100000", "--rate-burst", "100000",
                         "--write-timeout-ms", "20000", "--history-bytes", "100000"});
  auto f = server.join(server.mint("r1", "facilitator", "f1", "Dana"));
  auto paused = server.join(server.mint("r1", "participant", "p1", "Alex"));
  const int messages = 6000;
  ASSERT_NO_FATAL_FAILURE(send_backlog(*f, messages));
  ASSERT_NO_FATAL_FAILURE(expect_backlog(*paused, messages));
}

}  // namespace
}  // namespace hearth::testing
