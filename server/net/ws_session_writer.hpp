// The write side of a WebSocket session over a plain or a TLS socket
// (net/ws_session adds the reads and the timer). A flush writes every queued
// message in one binary frame, synchronously as far as the socket takes it;
// inside an output turn (net/output_turn) a plain session's frame joins the
// thread's batch of sends (net/send_batch) instead, and a TLS session's is
// sealed into it, for the turn's end to hand to the kernel at once. Only the
// rest of a write the socket did not take whole goes on asynchronously.
// Included by ws_session.cpp alone, the one translation unit that
// instantiates the sessions.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "net/frame_send.hpp"
#include "net/op_pool.hpp"
#include "net/send_batch.hpp"
#include "net/socket_types.hpp"
#include "net/tls_pending_write.hpp"
#include "net/tls_send.hpp"
#include "net/tls_socket.hpp"
#include "net/ws_protocol.hpp"
#include "net/ws_scratch.hpp"
#include "net/ws_write.hpp"

namespace hearth::net {

struct no_tls_pending {};

template <typename Stream>
class ws_session_writer : public ws_protocol {
 protected:
  static constexpr bool plain = std::is_same_v<Stream, plain_socket>;
  using error_code = boost::system::error_code;

  ws_session_writer(Stream&& stream, session_context& context)
      : ws_protocol(context), stream_(std::move(stream)) {}

  void schedule_flush() override {
    boost::asio::post(stream_.get_executor(), pooled([self = shared()] { self->flush(); }));
  }

  void post_after_turn(void (*work)()) override {
    boost::asio::post(stream_.get_executor().get_inner_executor(), pooled([work] { work(); }));
  }

  void run_on_strand(std::function<void()> work) override {
    boost::asio::post(stream_.get_executor(), std::move(work));
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
      if (ec == boost::asio::error::would_block) {
        done_bytes = 0;
      } else if (ec) {
        hard_close();
        return false;
      }
      if (done_bytes == boost::asio::buffer_size(w.view())) {
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
      boost::asio::async_write(
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
          stream_.write_wants_read() ? boost::asio::socket_base::wait_read
                                     : boost::asio::socket_base::wait_write,
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
          ec = boost::asio::error::broken_pipe;
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
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  Stream stream_;
  [[no_unique_address]] std::conditional_t<plain, no_tls_pending, tls_pending_write> tls_;
  std::unique_ptr<ws_write> in_flight_;  // a write the socket did not take at once

 private:
  std::shared_ptr<ws_session_writer> shared() {
    return std::static_pointer_cast<ws_session_writer>(shared_from_this());
  }
};

}  // namespace hearth::net
