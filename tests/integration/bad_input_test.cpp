// Bad input against a real hearthd: each case gets its documented error or
// close, and the room keeps serving the others.
#include <gtest/gtest.h>

#include "server_process.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

struct ending {
  std::optional<v1::Reply> error_reply;
  std::optional<v1::Disconnect> disconnect;
};

ending drain(client::ws_client& c) {
  ending out;
  while (auto m = c.receive(2s)) {
    if (m->has_reply() && m->reply().has_error()) {
      out.error_reply = m->reply();
    }
    if (m->has_disconnect()) {
      out.disconnect = m->disconnect();
    }
  }
  return out;
}

TEST(bad_input, tampered_token_is_answered_with_error_then_auth_failed_close) {
  server_process server;
  auto token = server.mint("r1", "participant", "p1", "Alex");
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  auto c = server.connect();
  c->hello(token);
  const auto end = drain(*c);
  ASSERT_TRUE(end.error_reply);
  EXPECT_EQ(end.error_reply->error().code(), v1::ERROR_CODE_UNAUTHENTICATED);
  ASSERT_TRUE(end.disconnect);
  EXPECT_EQ(end.disconnect->code(), static_cast<std::uint32_t>(v1::CLOSE_CODE_AUTH_FAILED));
  EXPECT_FALSE(end.disconnect->reconnect());
  EXPECT_EQ(c->close_code(), v1::CLOSE_CODE_AUTH_FAILED);
}

TEST(bad_input, garbage_frame_closes_only_that_connection) {
  server_process server;
  auto f = server.join(server.mint("r1", "facilitator", "f1", "Dana"));
  auto bad = server.join(server.mint("r1", "participant", "p1", "Alex"));
  bad->send_raw(std::string("\xff\xff\xff\xff\xff\x01", 6));
  const auto end = drain(*bad);
  ASSERT_TRUE(end.disconnect);
  EXPECT_EQ(end.disconnect->code(), static_cast<std::uint32_t>(v1::CLOSE_CODE_BAD_REQUEST));
  EXPECT_EQ(bad->close_code(), v1::CLOSE_CODE_BAD_REQUEST);
  const auto reply = f->await_reply(f->chat("still here"), 3s);
  ASSERT_TRUE(reply && reply->has_chat());
}

TEST(bad_input, second_join_is_refused_without_detaching_the_connection) {
  server_process server;
  auto f = server.join(server.mint("r1", "facilitator", "f1", "Dana"));
  auto p = server.join(server.mint("r1", "participant", "p1", "Alex"));
  const auto again = p->await_reply(p->join("r1"), 3s);
  ASSERT_TRUE(again && again->has_error());
  EXPECT_EQ(again->error().code(), v1::ERROR_CODE_ALREADY_JOINED);
  const auto chat = p->await_reply(p->chat("still joined"), 3s);
  ASSERT_TRUE(chat && chat->has_chat()) << "the refused join detached the connection";
  p->drop();
  auto away = await_event(
      *f, [](const v1::Event& e) { return e.has_member_presence(); }, 3s);
  ASSERT_TRUE(away);
  EXPECT_EQ(away->member_presence().presence(), v1::PRESENCE_RECONNECTING);
}

TEST(bad_input, disallowed_origin_and_missing_subprotocol_are_refused) {
  server_process server;
  client::connect_options options;
  options.port = server.port();
  options.origin = "http://127.0.0.1:" + std::to_string(server.port()) + ".evil.test";
  EXPECT_THROW(client::ws_client{options}, std::runtime_error);
  options.origin = "null";
  EXPECT_THROW(client::ws_client{options}, std::runtime_error);
  options.origin = "http://127.0.0.1:" + std::to_string(server.port());
  EXPECT_NO_THROW(client::ws_client{options});
  options.origin.reset();
  options.subprotocol.clear();
  try {
    client::ws_client refused(options);
    FAIL() << "upgrade without subprotocol was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("400"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("hearth.v1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hearth::testing
