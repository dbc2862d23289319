// A real hearthd on loopback, driven by the C++ client: snapshots, fan-out,
// resume, reconnect grace, slow consumers and shutdown.
#include <gtest/gtest.h>

#include <map>

#include "backlog_flow.hpp"
#include "server_process.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

bool is_chat(const v1::Event& e) { return e.has_chat(); }

TEST(room_flow, join_returns_snapshot_with_roles_and_presence) {
  server_process server;
  auto f = server.join(server.mint("r1", "facilitator", "f1", "Dana"));
  v1::JoinResult joined;
  auto p = server.join(server.mint("r1", "participant", "p1", "Alex"), &joined);
  EXPECT_FALSE(joined.recovered());
  EXPECT_FALSE(joined.epoch().empty());
  EXPECT_EQ(joined.head_seq(), 2U);
  ASSERT_EQ(joined.snapshot().members_size(), 2);
  EXPECT_EQ(joined.snapshot().members(0).role(), v1::ROLE_FACILITATOR);
  EXPECT_EQ(joined.snapshot().members(0).display_name(), "Dana");
  EXPECT_EQ(joined.snapshot().members(1).presence(), v1::PRESENCE_PRESENT);
  // The facilitator sees the participant arrive as seq 2.
  auto arrived = await_event(
      *f, [](const v1::Event& e) { return e.has_member_joined(); }, 3s);
  ASSERT_TRUE(arrived);
  EXPECT_EQ(arrived->seq(), 2U);
}

TEST(room_flow, chat_fans_out_once_to_everyone_in_sequence) {
  server_process server;
  std::vector<std::unique_ptr<client::ws_client>> members;
  const int people = 4;
  const int per_person = 5;
  for (int i = 0; i < people; ++i) {
    members.push_back(server.join(
        server.mint("r1", i == 0 ? "facilitator" : "participant", "s" + std::to_string(i), "n")));
  }
  for (int round = 0; round < per_person; ++round) {
    for (int i = 0; i < people; ++i) {
      members[static_cast<std::size_t>(i)]->chat("m" + std::to_string(i) + "-" +
                                                 std::to_string(round));
    }
  }
  for (auto& m : members) {
    std::uint32_t last_seq = 0;
    std::map<std::string, int> seen;
    for (int n = 0; n < people * per_person; ++n) {
      auto e = await_event(*m, is_chat, 5s);
      ASSERT_TRUE(e) << "missing chat " << n;
      EXPECT_GT(e->seq(), last_seq);
      if (last_seq != 0) {
        EXPECT_EQ(e->seq(), last_seq + 1) << "gap in the room stream";
      }
      last_seq = e->seq();
      ++seen[e->chat().text()];
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(people * per_person));
    for (const auto& [text, count] : seen) {
      EXPECT_EQ(count, 1) << text;
    }
    EXPECT_FALSE(await_event(*m, is_chat, 200ms)) << "a chat was delivered twice";
  }
}

TEST(room_flow, resume_replays_exactly_the_missed_events) {
  server_process server;
  auto f = server.join(server.mint("r1", "facilitator", "f1", "Dana"));
  const auto alex_token = server.mint("r1", "participant", "p1", "Alex");
  v1::JoinResult first;
  auto alex = server.join(alex_token, &first);
  alex->drop();
  ASSERT_TRUE(await_event(
      *f, [](const v1::Event& e) { return e.has_member_presence(); }, 3s));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(f->await_reply(f->chat("while away " + std::to_string(i)), 3s));
  }
  v1::ResumePosition resume;
  resume.set_epoch(first.epoch());
  resume.set_last_seq(first.head_seq());
  v1::JoinResult again;
  alex = server.join(alex_token, &again, &resume);
  ASSERT_TRUE(again.recovered());
  EXPECT_FALSE(again.has_snapshot());
  EXPECT_EQ(again.member_id(), first.member_id());
  // Missed: own "reconnecting", three chats, own "present".
  ASSERT_EQ(again.head_seq(), first.head_seq() + 5);
  for (std::uint32_t seq = first.head_seq() + 1; seq <= again.head_seq(); ++seq) {
    auto m = alex->receive(3s);
    ASSERT_TRUE(m && m->has_event());
    EXPECT_EQ(m->event().seq(), seq);
  }
  f->chat("live");
  auto live = await_event(*alex, is_chat, 3s);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->seq(), again.head_seq() + 1);
  EXPECT_EQ(live->chat().text(), "live");
}

TEST(room_flow, resume_beyond_history_gets_a_snapshot) {
  server_process server({"--history-events", "2"});
  auto f = server.join(server.mint("r1", "facilitator", "f1", "Dana"));
  const auto token = server.mint("r1", "participant", "p1", "Alex");
  v1::JoinResult first;
  auto alex = server.join(token, &first);
  alex->drop();
  ASSERT_TRUE(await_event(
      *f, [](const v1::Event& e) { return e.has_member_presence(); }, 3s));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(f->await_reply(f->chat("x"), 3s));
  }
  v1::ResumePosition resume;
  resume.set_epoch(first.epoch());
  resume.set_last_seq(first.head_seq());
  v1::JoinResult again;
  alex = server.join(token, &again, &resume);
  EXPECT_FALSE(again.recovered());
  ASSERT_TRUE(again.has_snapshot());
  EXPECT_EQ(again.snapshot().recent_chat_size(), 5);

  resume.set_epoch("not-this-room");
  resume.set_last_seq(again.head_seq());
  alex->drop();
  alex = server.join(token, &again, &resume);
  EXPECT_FALSE(again.recovered());
}

TEST(room_flow, reconnect_within_grace_keeps_presence_and_expiry_announces_leave) {
  server_process server({"--reconnect-grace-ms", "600"});
  auto f = server.join(server.mint("r1", "facilitator", "f1", "Dana"));
  const auto token = server.mint("r1", "participant", "p1", "Alex");
  auto alex = server.join(token);
  alex->drop();
  auto away = await_event(
      *f, [](const v1::Event& e) { return e.has_member_presence(); }, 3s);
  ASSERT_TRUE(away);
  EXPECT_EQ(away->member_presence().presence(), v1::PRESENCE_RECONNECTING);
  alex = server.join(token);
  auto back = f->receive(3s);
  ASSERT_TRUE(back && back->has_event());
  EXPECT_EQ(back->event().member_presence().presence(), v1::PRESENCE_PRESENT);
  EXPECT_FALSE(await_event(
      *f, [](const v1::Event& e) { return e.has_member_left(); }, 900ms));

  alex->drop();
  auto left = await_event(
      *f, [](const v1::Event& e) { return e.has_member_left(); }, 3s);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->member_left().reason(), v1::LEAVE_REASON_GRACE_EXPIRED);
}

TEST(room_flow, stalled_reader_is_closed_and_others_keep_everything) {
  // The queue limit holds five 50 KB events: two chats read in one turn are
  // fanned out before the turn's flush, and with room for only one the
  // healthy reader was closed as a slow consumer too (seen under the
  // sanitizer). The stalled reader still overflows it many times over.
  server_process server({"--max-outbound-queue-bytes", "262144", "--max-chat-bytes", "60000",
                         "--rate-per-second", "100000", "--rate-burst", "100000",
                         // The healthy reader is read by this thread between sends; on a
                         // loaded machine a pause of a second must not make it a slow consumer.
                         // The stalled one goes by its outbound queue, long before this.
                         "--write-timeout-ms", "10000", "--history-bytes", "100000"});
  auto f = server.join(server.mint("r1", "facilitator", "f1", "Dana"));
  auto reader = server.join(server.mint("r1", "participant", "p1", "Alex"));
  v1::JoinResult stalled_join;
  auto stalled = server.join(server.mint("r1", "participant", "p2", "Sam"), &stalled_join);
  const std::string payload(50'000, 'x');
  const int messages = 400;  // 20 MB: more than the kernel buffers of a stalled socket
  std::uint32_t last_seq = 0;
  bool saw_stalled_leave = false;
  int received = 0;
  for (int i = 0; i < messages; ++i) {
    // Every tenth chat the sender waits for the answer, reading its own
    // socket meanwhile: a sender that let 50 KB events pile up would itself
    // overflow its outbound queue and be closed, and the rest of the
    // chat never sent. (Waiting on every one costs a delayed ACK each.)
    const auto sent = f->chat(payload);
    if (i % 10 == 9 || i + 1 == messages) {
      ASSERT_TRUE(f->await_reply(sent, 10s))
          << "chat " << i << " unanswered"
          << (f->closed() ? ", sender closed with " + std::to_string(f->close_code()) : "");
    }
    while (auto m = reader->receive(i + 1 == messages ? 3000ms : 0ms)) {
      if (!m->has_event()) {
        continue;
      }
      if (m->event().seq() != 0) {
        if (last_seq != 0) {
          ASSERT_EQ(m->event().seq(), last_seq + 1);
        }
        last_seq = m->event().seq();
      }
      received += m->event().has_chat() ? 1 : 0;
      if (m->event().has_member_presence() &&
          m->event().member_presence().member_id() == stalled_join.member_id()) {
        saw_stalled_leave = true;
      }
      if (received == messages) {
        break;
      }
    }
    while (f->receive(0ms)) {
    }
  }
  while (received < messages) {
    auto m = reader->receive(3s);
    ASSERT_TRUE(m) << "reader got " << received << " of " << messages
                   << (reader->closed() ? ", closed with " + std::to_string(reader->close_code())
                                        : std::string(", still open"));
    received += m->has_event() && m->event().has_chat() ? 1 : 0;
    if (m->has_event() && m->event().has_member_presence()) {
      saw_stalled_leave = true;
    }
  }
  EXPECT_EQ(received, messages);
  EXPECT_TRUE(saw_stalled_leave) << "the stalled member was never marked reconnecting";
}

// A reader that stops reading for a while lets the kernel's buffers fill, so
// the server's writes to it come out partial and go on asynchronously, with
// batches of hundreds of messages (more than one sendmsg's buffer list). When
// it reads again it gets every message once, whole and in order.
TEST(room_flow, a_paused_reader_gets_its_whole_backlog_in_order) {
  server_process server({"--max-outbound-queue-bytes", "33554432", "--rate-per-second", "100000",
                         "--rate-burst", "100000", "--write-timeout-ms", "20000", "--history-bytes",
                         "100000"});
  auto f = server.join(server.mint("r1", "facilitator", "f1", "Dana"));
  auto paused = server.join(server.mint("r1", "participant", "p1", "Alex"));
  const int messages = 8000;  // about 8 MB of events: more than loopback buffers hold
  ASSERT_NO_FATAL_FAILURE(send_backlog(*f, messages));
  ASSERT_NO_FATAL_FAILURE(expect_backlog(*paused, messages));
}

TEST(room_flow, sigterm_closes_everyone_with_going_away_and_exits_zero) {
  server_process server;
  auto a = server.join(server.mint("r1", "facilitator", "f1", "Dana"));
  auto b = server.join(server.mint("r1", "participant", "p1", "Alex"));
  EXPECT_EQ(server.terminate(), 0);
  for (auto* c : {a.get(), b.get()}) {
    std::optional<v1::Disconnect> disconnect;
    while (auto m = c->receive(2s)) {
      if (m->has_disconnect()) {
        disconnect = m->disconnect();
      }
    }
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->code(), static_cast<std::uint32_t>(v1::CLOSE_CODE_GOING_AWAY));
    EXPECT_TRUE(disconnect->reconnect());
    EXPECT_TRUE(c->closed());
    EXPECT_EQ(c->close_code(), v1::CLOSE_CODE_GOING_AWAY);
  }
}

}  // namespace
}  // namespace hearth::testing
