// A server-side TLS connection on a non-blocking socket, with OpenSSL reading
// and writing the socket itself through a minimal BIO. asio::ssl::stream puts
// two 17 KiB record buffers and a 17 KiB-each-way BIO pair between OpenSSL and
// the kernel for every connection, about 70 kB; here OpenSSL's own record
// buffers are the only ones, and they are released while empty, so an idle
// connection holds only its TLS state. Each record is copied once, and a write
// that the socket takes at once completes at once.
//
// The WebSocket session drives the non-blocking steps from its own readiness
// loop; the HTTP phase (Beast) uses the asynchronous stream interface.
// Everything runs on the connection's strand.
#pragma once

#include <openssl/types.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>

#include "net/socket_types.hpp"

namespace hearth::net {

class tls_socket {
 public:
  using executor_type = session_strand;

  enum class status {
    done,        // the step finished; `bytes` says how much it moved
    want_read,   // retry once the socket is readable
    want_write,  // retry once the socket is writable
    closed,      // the peer ended the connection (close_notify or end of stream)
    failed,      // a TLS or socket error; error() says which
  };
  struct result {
    status state = status::done;
    std::size_t bytes = 0;
  };

  // Makes the socket non-blocking and starts the server side of a handshake
  // on it. If OpenSSL cannot make the connection, every step fails.
  tls_socket(plain_socket socket, SSL_CTX* context);
  tls_socket(tls_socket&& other) noexcept;
  tls_socket(const tls_socket&) = delete;
  tls_socket& operator=(const tls_socket&) = delete;
  tls_socket& operator=(tls_socket&&) = delete;
  ~tls_socket();

  executor_type get_executor() { return socket_.get_executor(); }
  plain_socket& next_layer() { return socket_; }

  result handshake();
  // At most one record's plaintext per call.
  result read(void* data, std::size_t size);
  // Writes whole records; a write that stopped with want_write must be
  // retried with the same bytes (they may have moved).
  result write(const void* data, std::size_t size);
  // Encrypts `size` bytes into `out` instead of sending them: the records the
  // socket would have got, for a batch of sends to send (net/send_batch). The
  // connection must have no write pending, and `room` must cover each
  // record's overhead (seal_overhead per 16 KiB). Returns the ciphertext's
  // size, or 0 after a failure (the connection is then failed).
  std::size_t seal(const void* data, std::size_t size, char* out, std::size_t room);
  static constexpr std::size_t seal_overhead = 64;

  // Read input that read() can go on with before the socket is readable again.
  bool input_buffered() const;
  // The last write stopped until the socket is readable (want_read), not
  // writable.
  bool write_wants_read() const { return write_wants_read_; }
  // Sends close_notify if the connection is healthy and the socket takes it
  // now; best effort, once.
  void send_close_notify();
  // The error of the last failed step (asio::error::eof after closed).
  boost::system::error_code error() const { return error_; }

  // The asynchronous stream interface (AsyncReadStream, AsyncWriteStream).
  template <typename Handler>
  auto async_handshake(Handler&& handler);
  template <typename MutableBuffers, typename Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler);
  template <typename ConstBuffers, typename Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler);

 private:
  template <int Step>
  class async_step;

  result outcome(int ret, std::size_t bytes);

  plain_socket socket_;
  SSL* ssl_ = nullptr;
  bool fatal_ = false;     // after a TLS or socket error, every step fails
  bool notified_ = false;  // close_notify sent (or tried)
  bool write_wants_read_ = false;
  boost::system::error_code error_;
};

inline plain_socket& socket_of(tls_socket& stream) { return stream.next_layer(); }

// One step of the asynchronous interface, retried on readiness until it is
// done. A step that finishes at once still completes through the executor,
// never inside the call that started it.
// Steps: the handshake, a read, a write.
inline constexpr int tls_handshake_step = 0;
inline constexpr int tls_read_step = 1;
inline constexpr int tls_write_step = 2;

template <int Step>
class tls_socket::async_step {
 public:
  async_step(tls_socket& socket, void* data, std::size_t size)
      : socket_(socket), data_(data), size_(size) {}

  template <typename Self>
  void operator()(Self& self, boost::system::error_code ec = {}) {
    if (finished_ || ec) {
      complete(self, finished_ ? error_ : ec);
      return;
    }
    result r;
    if constexpr (Step == tls_handshake_step) {
      r = socket_.handshake();
    } else if constexpr (Step == tls_read_step) {
      r = size_ == 0 ? result{} : socket_.read(data_, size_);
    } else {
      r = size_ == 0 ? result{} : socket_.write(data_, size_);
    }
    if (r.state == status::want_read || r.state == status::want_write) {
      waited_ = true;
      socket_.next_layer().async_wait(r.state == status::want_read
                                          ? boost::asio::socket_base::wait_read
                                          : boost::asio::socket_base::wait_write,
                                      std::move(self));
      return;
    }
    error_ = r.state == status::done ? boost::system::error_code{} : socket_.error();
    bytes_ = r.bytes;
    finished_ = true;
    if (waited_) {
      complete(self, error_);
    } else {
      boost::asio::post(socket_.get_executor(), std::move(self));
    }
  }

 private:
  template <typename Self>
  void complete(Self& self, boost::system::error_code ec) {
    if constexpr (Step == tls_handshake_step) {
      self.complete(ec);
    } else {
      self.complete(ec, bytes_);
    }
  }

  tls_socket& socket_;
  void* data_;
  std::size_t size_;
  bool waited_ = false;
  bool finished_ = false;
  boost::system::error_code error_;
  std::size_t bytes_ = 0;
};

template <typename Handler>
auto tls_socket::async_handshake(Handler&& handler) {
  return boost::asio::async_compose<Handler, void(boost::system::error_code)>(
      async_step<tls_handshake_step>(*this, nullptr, 0), handler, socket_);
}

// Reads into (or writes from) the first non-empty buffer only, as
// asio::ssl::stream does: one record per step.
template <typename Buffer, typename Buffers>
Buffer first_buffer(const Buffers& buffers) {
  const auto end = boost::asio::buffer_sequence_end(buffers);
  for (auto it = boost::asio::buffer_sequence_begin(buffers); it != end; ++it) {
    const Buffer b(*it);
    if (b.size() != 0) {
      return b;
    }
  }
  return {};
}

template <typename MutableBuffers, typename Handler>
auto tls_socket::async_read_some(const MutableBuffers& buffers, Handler&& handler) {
  const auto first = first_buffer<boost::asio::mutable_buffer>(buffers);
  return boost::asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
      async_step<tls_read_step>(*this, first.data(), first.size()), handler, socket_);
}

template <typename ConstBuffers, typename Handler>
auto tls_socket::async_write_some(const ConstBuffers& buffers, Handler&& handler) {
  const auto first = first_buffer<boost::asio::const_buffer>(buffers);
  return boost::asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
      // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): a write step only reads
      async_step<tls_write_step>(*this, const_cast<void*>(first.data()), first.size()), handler,
      socket_);
}

}  // namespace hearth::net
