// The socket side of a WebSocket session, after the HTTP upgrade: RFC 6455
// framing done by Hearth (wire/ws_frame, ws_protocol) rather than by a
// general-purpose stream, so a delivery costs one gathered write of every
// queued message and no per-message operation objects. Sessions read into
// one buffer per thread when the socket becomes readable, plain sockets with
// system calls of their own, TLS sockets with OpenSSL on the socket
// (net/tls_socket); the writes are net/ws_session_writer's.
#include "net/ws_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string>
#include <type_traits>

#include "net/op_pool.hpp"
#include "net/session_read.hpp"
#include "net/ws_scratch.hpp"
#include "net/ws_session_writer.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {
namespace {

namespace asio = boost::asio;

template <typename Stream>
class ws_session final : public ws_session_writer<Stream> {
  using base = ws_session_writer<Stream>;
  using base::begin_close;
  using base::context_;
  using base::deadlines_changed;
  using base::feed;
  using base::flush;
  using base::hard_close;
  using base::input_yielded;
  using base::on_finished;
  using base::on_timer;
  using base::plain;
  using base::shared_from_this;
  using base::stream_;
  using base::torn_down_;
  using typename base::error_code;

 public:
  ws_session(Stream&& stream, session_context& context) : base(std::move(stream), context) {}

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

  void finish() {
    context_.wheel.cancel(*this);
    on_finished();
  }

  // Deadlines (ws_protocol: which one passed, and what follows)

  void wheel_fired() override {
    asio::post(stream_.get_executor(), pooled([self = shared()] { self->on_timer(); }));
  }
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
