// The socket side of a WebSocket session, after the HTTP upgrade: RFC 6455
// framing done by Hearth (wire/ws_frame, ws_protocol) rather than by a
// general-purpose stream, so a delivery costs one gathered write of every
// queued message and no per-message operation objects. Plain sockets read
// into one buffer per thread when they become readable and write
// synchronously until the socket is full; TLS streams use asynchronous reads
// and writes.
#include "net/ws_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <type_traits>

#include "net/frame_send.hpp"
#include "net/op_pool.hpp"
#include "net/socket_calls.hpp"
#include "net/ws_protocol.hpp"
#include "net/ws_scratch.hpp"
#include "net/ws_write.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

// The TLS stream keeps its own record buffers; this only needs to take what
// one read hands over, and a small one keeps an idle TLS connection lighter.
constexpr std::size_t tls_read_bytes = std::size_t{4} * 1024;
constexpr std::size_t idle_write_bytes = std::size_t{4} * 1024;

// The read and write buffers only a TLS session needs.
struct tls_buffers {
  std::vector<char> in;  // the record being read
  std::string out;       // the bytes of the write in flight
};
struct no_tls_buffers {};

template <typename Stream>
class ws_session final : public ws_protocol {
  static constexpr bool plain = std::is_same_v<Stream, plain_socket>;

 public:
  ws_session(Stream&& stream, session_context& context)
      : ws_protocol(context), stream_(std::move(stream)) {}

  void run(std::string leftover) {
    auto& m = telemetry::global_metrics();
    m.connections_open.fetch_add(1, std::memory_order_relaxed);
    m.connections_total.fetch_add(1, std::memory_order_relaxed);
    context_.registry.add(shared_from_this());
    if constexpr (plain) {
      error_code ec;
      stream_.non_blocking(true, ec);
      if (ec) {
        hard_close();
        finish();
        return;
      }
    } else {
      tls_.in.resize(tls_read_bytes);
    }
    if (context_.shutting_down.load()) {
      begin_close(v1::CLOSE_CODE_GOING_AWAY, "server shutting down");
    }
    if (!leftover.empty()) {
      feed(leftover.data(), leftover.size());
    }
    read_more();
    deadlines_changed();
  }

 private:
  std::shared_ptr<ws_session> shared() {
    return std::static_pointer_cast<ws_session>(shared_from_this());
  }

  // Reading

  void read_more() {
    if (torn_down_) {
      finish();  // closed while handling what was read: no read is left to notice
      return;
    }
    if constexpr (plain) {
      stream_.async_wait(asio::socket_base::wait_read,
                         pooled([self = shared()](error_code ec) { self->on_readable(ec); }));
    } else {
      stream_.async_read_some(
          asio::buffer(tls_.in),
          pooled([self = shared()](error_code ec, std::size_t n) { self->on_tls_read(ec, n); }));
    }
  }

  void on_readable(error_code ec) {
    const input_turn turn(context_.config.threads <= 1);
    if (ec || torn_down_) {
      finish();
      return;
    }
    flush_ahead_of_input();
    auto& buffer = thread_read_buffer();
    ssize_t got = -1;
    do {
      got = receive(socket_of(stream_).native_handle(), buffer.data(), buffer.size());
    } while (got < 0 && errno == EINTR);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      read_more();
      return;
    }
    if (got <= 0) {
      hard_close();  // end of stream or a reset
      finish();
      return;
    }
    const auto n = static_cast<std::size_t>(got);
    feed(buffer.data(), n);
    after_input(n == buffer.size());
  }

  // With several threads, a flush for this connection may sit behind us on
  // the strand; it goes first, so replies to the last message leave before
  // the next is handled. With one, what is queued waits, in order, for the
  // flush of sessions with output at the end of the handler that queued it
  // (session_core::input_turn or mark_dirty), which writes it together with
  // whatever this input adds.
  void flush_ahead_of_input() {
    if (context_.config.threads > 1) {
      flush();
    }
  }

  void on_tls_read(error_code ec, std::size_t n) {
    const input_turn turn(context_.config.threads <= 1);
    if (ec || torn_down_) {
      hard_close();
      finish();
      return;
    }
    feed(tls_.in.data(), n);
    after_input(false);
  }

  // One client message is handled per turn, as other handlers may be queued
  // (the room fanning it out, flushes to its members): the rest of the input
  // waits for the next turn, so a burst from one client cannot starve others
  // or outrun its recipients' flushes.
  void after_input(bool socket_may_have_more) {
    if (torn_down_) {
      finish();
    } else if (input_yielded()) {
      asio::post(stream_.get_executor(), pooled([self = shared(), socket_may_have_more] {
                   const input_turn turn(self->context_.config.threads <= 1);
                   self->flush_ahead_of_input();
                   self->feed(nullptr, 0);
                   self->after_input(socket_may_have_more);
                 }));
    } else if (socket_may_have_more) {
      // The reactor is edge-triggered: read again rather than wait.
      asio::post(stream_.get_executor(), pooled([self = shared()] { self->on_readable({}); }));
    } else {
      read_more();
    }
  }

  // Writing

  void schedule_flush() override {
    asio::post(stream_.get_executor(), pooled([self = shared()] { self->flush(); }));
  }

  void post_after_turn(void (*work)()) override {
    asio::post(stream_.get_executor().get_inner_executor(), pooled([work] { work(); }));
  }

  void run_on_strand(std::function<void()> work) override {
    asio::post(stream_.get_executor(), std::move(work));
  }

  // Writes what is queued: control frames first, then every queued message
  // in one binary frame; after a close frame, nothing.
  void flush() override {
    while (!writing_ && !close_sent_ && !torn_down_) {
      if constexpr (plain) {
        if (only_messages_to_write()) {
          if (!flush_batch_directly()) {
            return;
          }
          continue;
        }
      }
      ws_write w = std::move(thread_write());
      w.clear();
      lay_out_write(w);
      const bool nothing = w.empty();
      const bool finished = !nothing && write_now(w);
      w.clear();
      thread_write() = std::move(w);
      if (nothing || !finished || !written()) {
        return;  // on_write continues an unfinished write
      }
    }
  }

  bool write_alone(const wire::shared_bytes& bytes) override {
    if constexpr (!plain) {
      return false;  // TLS writes go through the queue and one record per batch
    } else {
      if (writing_ || close_sent_ || torn_down_ || !only_messages_to_write()) {
        return false;
      }
      const frame_send_result sent = send_batch_frame(stream_.native_handle(), {&bytes, 1});
      if (sent.error != 0) {
        hard_close();
      } else if (sent.written < sent.total) {
        ws_write rest;
        rest.batch.push_back(bytes);
        write_later(rest, sent.written);
      }
      return true;
    }
  }

  // The usual write of a plain session: queued messages only, no control
  // frame and no close under way. Returns whether the write loop goes on.
  bool flush_batch_directly() {
    std::vector<wire::shared_bytes> batch = std::move(thread_batch());
    const bool more = take_batch(context_.config.max_write_batch_bytes, batch);
    if (batch.empty()) {
      thread_batch() = std::move(batch);
      return false;
    }
    const frame_send_result sent = send_batch_frame(stream_.native_handle(), batch);
    if (sent.error == 0 && sent.written < sent.total) {
      ws_write rest;
      rest.batch = std::move(batch);
      write_later(rest, sent.written);
      return false;
    }
    batch.clear();
    thread_batch() = std::move(batch);
    if (sent.error != 0) {
      hard_close();
      return false;
    }
    // No control frame or close can have come up during the send: both are
    // made on this strand.
    return more;
  }

  // Returns true when everything was written synchronously. Otherwise the
  // write continues asynchronously, from `w` moved to the heap.
  bool write_now(ws_write& w) {
    w.build();
    std::size_t done_bytes = 0;
    if constexpr (plain) {
      error_code ec;
      done_bytes = stream_.write_some(w.view(), ec);
      if (ec == asio::error::would_block) {
        done_bytes = 0;
      } else if (ec) {
        hard_close();
        return false;
      }
      if (done_bytes == asio::buffer_size(w.view())) {
        return true;
      }
    }
    write_later(w, done_bytes);
    return false;
  }

  // Goes on with a write the socket did not take whole, `done_bytes` in.
  void write_later(ws_write& w, std::size_t done_bytes) {
    writing_ = true;
    const bool arm = !write_started_;
    write_started_ = steady::now();
    auto done = pooled([self = shared()](error_code ec, std::size_t) { self->on_write(ec); });
    if constexpr (plain) {
      in_flight_ = std::make_unique<ws_write>(std::move(w));
      in_flight_->build();  // `control` and `header` moved with it
      in_flight_->consume(done_bytes);
      asio::async_write(stream_, in_flight_->view(), std::move(done));
    } else {
      // The TLS stream encrypts one buffer per record and write, so the pieces
      // are joined first: one record and one send instead of one per message.
      tls_.out.clear();
      for (const auto& b : w.buffers) {
        tls_.out.append(static_cast<const char*>(b.data()), b.size());
      }
      asio::async_write(stream_, asio::buffer(tls_.out), std::move(done));
    }
    if (arm) {
      deadlines_changed();
    }
  }

  void on_write(error_code ec) {
    writing_ = false;
    write_started_.reset();
    in_flight_.reset();
    if constexpr (!plain) {
      if (tls_.out.capacity() > idle_write_bytes) {
        std::string().swap(tls_.out);  // an idle TLS connection keeps no large buffer
      }
    }
    if (ec) {
      hard_close();
      return;
    }
    if (written()) {
      flush();
    }
  }

  void hard_close() override {
    if (torn_down_) {
      return;
    }
    torn_down_ = true;
    stop_reading();
    error_code ignored;
    auto& socket = socket_of(stream_);
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  void finish() {
    context_.wheel.cancel(*this);
    on_finished();
  }

  // Deadlines

  void deadlines_changed() override {
    const auto next = next_deadline();
    if (!next || torn_down_) {
      return;
    }
    // An earlier wake-up already set re-arms for this one.
    context_.wheel.schedule_no_later(*this, *next);
  }

  void wheel_fired() override {
    asio::post(stream_.get_executor(), pooled([self = shared()] { self->on_timer(); }));
  }

  void on_timer() {
    const auto now = steady::now();
    if (close_deadline_ && now >= *close_deadline_) {
      hard_close();  // the peer never completed the close handshake
      return;
    }
    if (write_started_ && now >= *write_started_ + context_.config.write_timeout) {
      if (!close_started_) {
        telemetry::global_metrics().queue_overflows.fetch_add(1, std::memory_order_relaxed);
        telemetry::global_metrics().count_close(v1::CLOSE_CODE_SLOW_CONSUMER);
      }
      hard_close();  // a write that cannot finish will not carry a close either
      return;
    }
    on_deadline(now);
    deadlines_changed();
  }

  Stream stream_;
  [[no_unique_address]] std::conditional_t<plain, no_tls_buffers, tls_buffers> tls_;
  std::unique_ptr<ws_write> in_flight_;  // a write the socket did not take at once
};

static_assert(sizeof(ws_session<plain_socket>) <= connection_hot_bytes,
              "a fan-out prefetches a plain session whole");

template <typename Stream>
void start(Stream stream, std::string leftover, session_context& context) {
  auto session = std::make_shared<ws_session<Stream>>(std::move(stream), context);
  session->run(std::move(leftover));
}

}  // namespace

void start_ws_session(plain_socket socket, std::string leftover, session_context& context) {
  start(std::move(socket), std::move(leftover), context);
}

void start_ws_session(tls_stream stream, std::string leftover, session_context& context) {
  start(std::move(stream), std::move(leftover), context);
}

}  // namespace hearth::net
