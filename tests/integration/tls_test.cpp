// hearthd over wss, driven by the C++ client: a fresh self-signed certificate
// for 127.0.0.1 per test, trusted through the client's ca_file.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "backlog_flow.hpp"
#include "chat_pairs_flow.hpp"
#include "server_process.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

// A P-256 key and a certificate for IP 127.0.0.1 in a temporary directory,
// made with the openssl command line as an operator would.
class certificate {
 public:
  certificate() {
    std::string pattern = (std::filesystem::temp_directory_path() / "hearth-tls-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    dir_ = pattern;
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1"
        " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key() + "' -out '" + cert() + "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("openssl could not make a certificate");
    }
  }
  ~certificate() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  certificate(const certificate&) = delete;
  certificate& operator=(const certificate&) = delete;

  std::string cert() const { return dir_ + "/cert.pem"; }
  std::string key() const { return dir_ + "/key.pem"; }

 private:
  std::string dir_;
};

client::connect_options wss_options(const server_process& server, const certificate& cert) {
  client::connect_options options;
  options.port = server.port();
  options.tls = true;
  options.ca_file = cert.cert();
  return options;
}

std::unique_ptr<client::ws_client> join_over_wss(const server_process& server,
                                                 const certificate& cert,
                                                 const std::string& token) {
  auto c = std::make_unique<client::ws_client>(wss_options(server, cert));
  const auto hello = c->await_reply(c->hello(token), 5s);
  if (!hello || !hello->has_hello()) {
    throw std::runtime_error("hello failed");
  }
  const auto joined = c->await_reply(c->join(hello->hello().room_id()), 5s);
  if (!joined || !joined->has_join()) {
    throw std::runtime_error("join failed");
  }
  return c;
}

// The message of the error that connecting with `options` throws ("" if none).
std::string connect_error(const client::connect_options& options) {
  try {
    client::ws_client c(options);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(tls, join_and_chat_over_wss) {
  const certificate cert;
  server_process server({"--tls-cert", cert.cert(), "--tls-key", cert.key()});
  auto f = join_over_wss(server, cert, server.mint("r1", "facilitator", "f1", "Dana"));
  auto p = join_over_wss(server, cert, server.mint("r1", "participant", "p1", "Alex"));
  ASSERT_TRUE(await_event(
      *f, [](const v1::Event& e) { return e.has_member_joined(); }, 3s));
  const auto reply = p->await_reply(p->chat("over tls"), 3s);
  ASSERT_TRUE(reply && reply->has_chat());
  const auto chat = await_event(
      *f, [](const v1::Event& e) { return e.has_chat(); }, 3s);
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->chat().text(), "over tls");
  EXPECT_EQ(chat->seq(), reply->chat().seq());
  f->close();
  p->close();
  EXPECT_EQ(server.terminate(), 0);
}

// A reader that stops reading lets the kernel's buffers fill, so the
// server's TLS writes to it stop part way through a record and finish once
// the socket drains. When it reads again it gets every message once, whole
// and in order, and the room went on meanwhile.
// Over TLS a batched write is a record sealed into the turn's batch: a member
// written to twice in one turn gets both records in order (their sequence
// numbers would not decrypt otherwise).
TEST(tls, two_chats_in_one_frame_reach_everyone_in_order) {
  const certificate cert;
  server_process server({"--tls-cert", cert.cert(), "--tls-key", cert.key()});
  std::vector<std::unique_ptr<client::ws_client>> members;
  members.reserve(4);
  for (int i = 0; i < 4; ++i) {
    members.push_back(join_over_wss(
        server, cert,
        server.mint("r1", i == 0 ? "facilitator" : "participant", "s" + std::to_string(i), "n")));
  }
  two_chats_per_frame_reach_everyone_in_order(members);
}

TEST(tls, a_paused_reader_gets_its_whole_backlog_in_order) {
  const certificate cert;
  server_process server({"--tls-cert", cert.cert(), "--tls-key", cert.key(),
                         "--max-outbound-queue-bytes", "33554432", "--rate-per-second", "100000",
                         "--rate-burst", "100000", "--write-timeout-ms", "20000", "--history-bytes",
                         "100000"});
  auto f = join_over_wss(server, cert, server.mint("r1", "facilitator", "f1", "Dana"));
  auto paused = join_over_wss(server, cert, server.mint("r1", "participant", "p1", "Alex"));
  const int messages = 6000;  // about 6 MB of events: more than loopback buffers hold
  ASSERT_NO_FATAL_FAILURE(send_backlog(*f, messages));
  ASSERT_NO_FATAL_FAILURE(expect_backlog(*paused, messages));
  EXPECT_EQ(server.terminate(), 0);
}

TEST(tls, certificate_must_be_trusted_and_match_the_host) {
  const certificate cert;
  server_process server({"--tls-cert", cert.cert(), "--tls-key", cert.key()});
  auto untrusted = wss_options(server, cert);
  untrusted.ca_file.clear();  // the system roots do not know this certificate
  EXPECT_NE(connect_error(untrusted).find("certificate verify failed"), std::string::npos)
      << connect_error(untrusted);
  auto other_host = wss_options(server, cert);
  other_host.host = "localhost";  // trusted, but issued for 127.0.0.1 only
  EXPECT_NE(connect_error(other_host).find("certificate verify failed"), std::string::npos)
      << connect_error(other_host);
  auto plain = wss_options(server, cert);
  plain.tls = false;
  EXPECT_NE(connect_error(plain).find("websocket handshake refused"), std::string::npos)
      << connect_error(plain);
  // None of that disturbed the server.
  auto c = join_over_wss(server, cert, server.mint("r1", "participant", "p1", "Alex"));
  EXPECT_FALSE(c->closed());
}

}  // namespace
}  // namespace hearth::testing
