// A small blocking client for protocol v1, used by hearth-cli and the C++
// integration tests. Each call runs the client's own io_context until it has an
// answer or its timeout passes; a receive that times out leaves its read
// pending, so nothing is lost between calls. Not thread-safe: one owner.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hearth/v1/envelope.pb.h"

namespace hearth::client {

struct connect_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string path = "/v1/ws";
  std::string subprotocol = "hearth.v1";  // empty: offer none
  std::optional<std::string> origin;      // sent as the Origin header when set
  std::chrono::milliseconds timeout{5000};
  bool answer_pings = true;  // reply to Ping with Pong automatically
  // wss: TLS 1.2 or later, the server's certificate checked against `host` and
  // against the PEM roots in `ca_file`, or the system's trusted roots when empty.
  bool tls = false;
  std::string ca_file;
};

class ws_client {
 public:
  // Connects and completes the TLS (if asked) and WebSocket handshakes; throws
  // std::runtime_error (with the HTTP status when the upgrade was refused, or the
  // TLS error such as a failed certificate check) on failure.
  explicit ws_client(const connect_options& options);
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  // Sends one message in its own frame. Returns false once the connection is gone.
  bool send(const v1::ClientMessage& message);
  // Sends arbitrary bytes as one binary (or text) frame, for malformed-input tests.
  bool send_raw(std::string_view bytes, bool binary = true);

  // The next server message, or nullopt on timeout or once closed.
  std::optional<v1::ServerMessage> receive(std::chrono::milliseconds timeout);
  // Receives until a Reply with `request_id` arrives; other messages are kept
  // for later receive() calls in their original order.
  std::optional<v1::Reply> await_reply(std::uint32_t request_id, std::chrono::milliseconds timeout);

  // Convenience commands; each returns the request id used.
  std::uint32_t hello(const std::string& token);
  std::uint32_t join(const std::string& room_id, const v1::ResumePosition* resume = nullptr);
  std::uint32_t chat(const std::string& text, v1::ChatScope scope = v1::CHAT_SCOPE_ROOM,
                     std::uint64_t client_msg_id = 0);
  std::uint32_t leave();
  std::uint32_t floor(const v1::FloorCommand& command);
  // Any command: sets the next request id, sends, returns the id.
  std::uint32_t request(v1::ClientMessage message);

  bool closed() const;
  // The WebSocket close code received (0 if none yet).
  std::uint16_t close_code() const;
  // Sends a normal close and waits briefly for the server's answer.
  void close();
  // Drops the TCP connection without a close handshake (a network failure).
  void drop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::uint32_t next_request_id_ = 1;
};

}  // namespace hearth::client
