// One client WebSocket connection driven by the generator's epoll loop:
// non-blocking TCP (optionally TLS), the HTTP upgrade, and RFC 6455 framing
// (masked frames out, unmasked frames in, control frames answered here).
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace hearth::bench {

enum class opcode : std::uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10
};

class ws_conn;

// What the protocol above the WebSocket layer is told.
class ws_sink {
 public:
  virtual void on_open(ws_conn& conn) = 0;
  virtual void on_message(ws_conn& conn, opcode op, std::string_view payload) = 0;

 protected:
  ~ws_sink() = default;
};

class ws_conn {
 public:
  enum class phase : std::uint8_t { connecting, tls_handshake, upgrading, open, closed };

  // Starts a non-blocking connect to host:port; `request_target` is the
  // upgrade path, `subprotocol` may be empty. `tls` may be null. A non-empty
  // `source` is the IPv4 address to connect from (the port stays the kernel's).
  ws_conn(const std::string& host, std::uint16_t port, const std::string& source,
          std::string request_target, std::string subprotocol, SSL_CTX* tls,
          std::uint32_t mask_seed);
  ~ws_conn();
  ws_conn(const ws_conn&) = delete;
  ws_conn& operator=(const ws_conn&) = delete;

  int fd() const { return fd_; }
  phase state() const { return phase_; }
  bool is_open() const { return phase_ == phase::open; }
  bool closed() const { return phase_ == phase::closed; }
  const std::string& error() const { return error_; }

  // The epoll events this connection needs now (EPOLLIN/EPOLLOUT bits).
  std::uint32_t wanted_events() const;
  // Stops reading for good (a deliberately slow consumer).
  void stop_reading() { reading_ = false; }
  bool reading() const { return reading_; }

  // Readiness handlers; both may deliver messages to `sink`.
  void on_writable(ws_sink& sink);
  void on_readable(ws_sink& sink);

  void send(opcode op, std::string_view payload);
  // Sends a close frame and closes the socket.
  void close();

 private:
  void fail(std::string why);
  bool bind_source(const std::string& source);
  void finish_connect(ws_sink& sink);
  void drive_tls(ws_sink& sink);
  void start_upgrade();
  void write_bytes(std::string_view bytes);
  void flush();
  void consume(ws_sink& sink, const char* data, std::size_t size);
  std::size_t parse_upgrade(ws_sink& sink, std::string_view bytes);
  std::size_t parse_frames(ws_sink& sink, std::string_view bytes);
  void handle_frame(ws_sink& sink, bool fin, opcode op, std::string_view payload);
  long raw_read(char* buffer, std::size_t size);
  long raw_write(const char* data, std::size_t size);

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  phase phase_ = phase::connecting;
  bool reading_ = true;
  bool tls_wants_write_ = false;
  std::string target_;
  std::string subprotocol_;
  std::string host_header_;
  std::string expected_accept_;
  std::string in_;   // bytes of an incomplete frame or header
  std::string out_;  // bytes the socket did not take yet
  std::string fragments_;
  opcode fragment_op_ = opcode::binary;
  std::uint32_t mask_state_;
  std::string error_;
};

}  // namespace hearth::bench
