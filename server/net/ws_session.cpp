// The socket side of a WebSocket session, after the HTTP upgrade: RFC 6455
// framing done by Hearth (wire/ws_frame, ws_protocol) rather than by a
// general-purpose stream, so a delivery costs one gathered write of every
// queued message and no per-message operation objects. Sessions read into
// one buffer per thread when the socket becomes readable and write
// synchronously until it is full, plain sockets with system calls of their
// own, TLS sockets with OpenSSL on the socket (net/tls_socket); only a write
// the socket does not take whole goes on asynchronously. With one network
// thread, the writes of an output turn (net/output_turn) go into the thread's batch of
// sends instead (net/send_batch), which the turn's end hands to the kernel
// at once.
#include "net/ws_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <type_traits>

#include "net/frame_send.hpp"
#include "net/op_pool.hpp"
#include "net/send_batch.hpp"
#include "net/session_read.hpp"
#include "net/tls_pending_write.hpp"
#include "net/tls_send.hpp"
#include "net/ws_protocol.hpp"
#include "net/ws_scratch.hpp"
#include "net/ws_write.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

struct no_tls_pending {};

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
      // Writes and reads are our own system calls, which must not block. The
      // acceptor made the socket non-blocking already (asking the socket
      // costs nothing; setting it again would be a system call).
      error_code ec;
      if (!stream_.non_blocking()) {
        stream_.non_blocking(true, ec);
      }
      if (ec) {
        hard_close();
        finish();
        return;
      }
    }
    if (context_.shutting_down.load()) {
      begin_close(v1::CLOSE_CODE_GOING_AWAY, "server shutting down");
    }
    if (!leftover.empty()) {
      feed(leftover.data(), leftover.size());
    }
    // What came with the upgrade request may go on past `leftover`: in more
    // messages (fed turn by turn) or, over TLS, in a record OpenSSL holds.
    if constexpr (plain) {
      after_input(false);
    } else {
      after_input(stream_.input_buffered());
    }
    deadlines_changed();
  }

 private:
  std::shared_ptr<ws_session> shared() {
    return std::static_pointer_cast<ws_session>(shared_from_this());
  }

  // Reading

  // TLS may need the socket writable to go on reading (a record it must
  // answer); it then reads once it is.
  void read_more(asio::socket_base::wait_type wait = asio::socket_base::wait_read) {
    if (torn_down_) {
      finish();  // closed while handling what was read: no read is left to notice
      return;
    }
    socket_of(stream_).async_wait(
        wait, pooled([self = shared()](error_code ec) { self->on_readable(ec); }));
  }

  void on_readable(error_code ec) {
    const output_turn turn(context_.config.threads <= 1);
    if (ec || torn_down_) {
      finish();
      return;
    }
    flush_ahead_of_input();
    auto& buffer = thread_read_buffer();
    read_outcome r;
    if constexpr (plain) {
      r = read_plain(stream_.native_handle(), buffer);
    } else {
      r = read_tls(stream_, buffer);
    }
    switch (r.what) {
      case read_outcome::next::handle:
        feed(buffer.data(), r.bytes);
        after_input(r.more);
        return;
      case read_outcome::next::wait_read:
        read_more(asio::socket_base::wait_read);
        return;
      case read_outcome::next::wait_write:
        read_more(asio::socket_base::wait_write);
        return;
      case read_outcome::next::close:
        hard_close();
        finish();
        return;
    }
  }

  // With several threads, a flush for this connection may sit behind us on
  // the strand; it goes first, so replies to the last message leave before
  // the next is handled. With one, what is queued waits, in order, for the
  // flush of sessions with output at the end of the handler that queued it
  // (net/output_turn or mark_dirty), which writes it together with
  // whatever this input adds.
  void flush_ahead_of_input() {
    if (context_.config.threads > 1) {
      flush();
    }
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
                   const output_turn turn(self->context_.config.threads <= 1);
                   self->flush_ahead_of_input();
                   self->feed(nullptr, 0);
                   self->after_input(socket_may_have_more);
                 }));
    } else if (socket_may_have_more) {
      // The reactor is edge-triggered (and TLS input may be buffered in
      // OpenSSL): read again rather than wait.
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
    while (!writing_ && !batched_ && !close_sent_ && !torn_down_) {
      if (only_messages_to_write()) {
        if (!flush_batch_directly()) {
          return;
        }
        continue;
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
    if (writing_ || batched_ || close_sent_ || torn_down_ || !only_messages_to_write()) {
      return false;
    }
    if (add_to_batch({&bytes, 1})) {
      return true;
    }
    const frame_send_result sent = send_frame({&bytes, 1});
    if (sent.error != 0) {
      hard_close();
    } else if (sent.written < sent.total) {
      ws_write rest;
      rest.batch.push_back(bytes);
      write_later(rest, sent.written);
    }
    return true;
  }

  // Inside an output turn, a plain session's frame joins the thread's batch of
  // sends; the session then writes nothing more until its report.
  bool add_to_batch(std::span<const wire::shared_bytes> messages) {
    send_batch* batch = turn_batch();
    if (batch == nullptr) {
      return false;
    }
    bool added = false;
    if constexpr (plain) {
      added = batch->add(as_batched_sender(), messages);
    } else {
      added = seal_frame_into(*batch, stream_, messages, as_batched_sender());
    }
    batched_ = added;
    return added;
  }

  int batched_socket() override { return torn_down_ ? -1 : socket_of(stream_).native_handle(); }

  void batched_send_done(std::string_view frame, std::size_t written_bytes, int error) override {
    batched_ = false;
    if (torn_down_) {
      return;
    }
    if (error != 0) {
      hard_close();
      return;
    }
    if (written_bytes < frame.size()) {
      if constexpr (plain) {
        ws_write rest;
        rest.control.assign(frame.substr(written_bytes));  // raw bytes, written as they are
        write_later(rest, 0);
      } else {
        tls_.keep_sealed(frame.substr(written_bytes));
        writing_ = true;
        const bool arm = !write_started_;
        write_started_ = steady::now();
        wait_to_write();
        if (arm) {
          deadlines_changed();
        }
      }
      return;
    }
    if (written()) {
      flush();
    }
  }

  // Sends one binary frame around `batch` as far as the socket takes it now.
  frame_send_result send_frame(std::span<const wire::shared_bytes> batch) {
    if constexpr (plain) {
      return send_batch_frame(stream_.native_handle(), batch);
    } else {
      return send_tls_frame(stream_, batch);
    }
  }

  // The usual write: queued messages only, no control frame and no close
  // under way. Returns whether the write loop goes on.
  bool flush_batch_directly() {
    std::vector<wire::shared_bytes> batch = std::move(thread_batch());
    const bool more = take_batch(context_.config.max_write_batch_bytes, batch);
    if (batch.empty() || add_to_batch(batch)) {
      // Batched: what is left queued goes after its report (written()).
      batch.clear();
      thread_batch() = std::move(batch);
      return false;
    }
    const frame_send_result sent = send_frame(batch);
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
    } else {
      const frame_send_result sent = send_tls_pieces(stream_, w.buffers);
      if (sent.error != 0) {
        hard_close();
        return false;
      }
      if (sent.written == sent.total) {
        return true;
      }
      done_bytes = sent.written;
    }
    write_later(w, done_bytes);
    return false;
  }

  // Goes on with a write the socket did not take whole, `done_bytes` in.
  void write_later(ws_write& w, std::size_t done_bytes) {
    writing_ = true;
    const bool arm = !write_started_;
    write_started_ = steady::now();
    if constexpr (plain) {
      in_flight_ = std::make_unique<ws_write>(std::move(w));
      in_flight_->build();  // `control` and `header` moved with it
      in_flight_->consume(done_bytes);
      asio::async_write(
          stream_, in_flight_->view(),
          pooled([self = shared()](error_code ec, std::size_t) { self->on_write(ec); }));
    } else {
      // What was sent came first in the joined record; the rest is still
      // there, as the write of the batch or the batch alone put it.
      tls_.keep_plaintext(std::string_view(thread_record_bytes()).substr(done_bytes));
      wait_to_write();
    }
    if (arm) {
      deadlines_changed();
    }
  }

  // TLS: until the socket is writable, or readable when OpenSSL must read
  // before it can write.
  void wait_to_write() {
    if constexpr (!plain) {
      socket_of(stream_).async_wait(
          stream_.write_wants_read() ? asio::socket_base::wait_read : asio::socket_base::wait_write,
          pooled([self = shared()](error_code ec) { self->on_writable(ec); }));
    }
  }

  // TLS: goes on with the rest of a write once the socket takes more.
  void on_writable(error_code ec) {
    if constexpr (!plain) {
      if (!ec && !torn_down_) {
        const frame_send_result sent = tls_.send_more(stream_);
        if (sent.error == 0 && !tls_.finished()) {
          wait_to_write();
          return;
        }
        if (sent.error != 0) {
          ec = asio::error::broken_pipe;
        }
      }
    }
    on_write(ec);
  }

  void on_write(error_code ec) {
    writing_ = false;
    write_started_.reset();
    in_flight_.reset();
    if constexpr (!plain) {
      tls_.clear();
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
    if constexpr (!plain) {
      if (!writing_ && !batched_) {
        stream_.send_close_notify();  // not in the middle of a record, nor behind a sealed one
      }
    }
    error_code ignored;
    auto& socket = socket_of(stream_);
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  void finish() {
    context_.wheel.cancel(*this);
    on_finished();
  }

  // Deadlines (ws_protocol: which one passed, and what follows)

  void wheel_fired() override {
    asio::post(stream_.get_executor(), pooled([self = shared()] { self->on_timer(); }));
  }

  Stream stream_;
  [[no_unique_address]] std::conditional_t<plain, no_tls_pending, tls_pending_write> tls_;
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

void start_ws_session(tls_socket stream, std::string leftover, session_context& context) {
  start(std::move(stream), std::move(leftover), context);
}

}  // namespace hearth::net
