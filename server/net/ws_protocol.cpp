// WebSocket control frames and the closing handshake (RFC 6455, 5.5 and 7),
// and the deadlines that end a handshake or a write that take too long.
#include "net/ws_protocol.hpp"

#include <array>

#include "telemetry/metrics.hpp"
#include "wire/ws_frame.hpp"

namespace hearth::net {

namespace ws = wire::ws;

ws_protocol::ws_protocol(session_context& context)
    : session_core(context), reader_(context.config.max_message_bytes) {}

void ws_protocol::on_message(ws::opcode op, std::string_view payload) {
  if (op != ws::opcode::binary) {
    begin_close(v1::CLOSE_CODE_UNSUPPORTED_DATA, "binary frames only");
    return;
  }
  on_frame(payload);
}

void ws_protocol::on_ping(std::string_view payload) {
  if (close_sent_) {
    return;
  }
  std::array<std::uint8_t, ws::max_header_bytes> pong{};
  const auto n = ws::write_server_header(ws::opcode::pong, payload.size(), pong);
  if (!control_) {
    control_ = std::make_unique<std::string>();
  }
  control_->append(reinterpret_cast<const char*>(pong.data()), n);
  control_->append(payload);
  flush();
}

void ws_protocol::on_close_frame(std::string_view payload) {
  reader_.stop();
  if (close_sent_) {
    hard_close();  // the closing handshake we started is complete
    return;
  }
  const auto code = ws::close_code_of(payload);
  peer_closed_ = true;
  echo_code_ = !code ? std::uint16_t{1002} : (*code == 1005 ? std::uint16_t{1000} : *code);
  flush();
}

// The input cannot be parsed any further, so the connection is failed: our
// close frame goes out without a Disconnect, and the socket closes without
// waiting for a reply.
void ws_protocol::on_failure(std::uint16_t code, std::string_view reason) {
  fail_fast_ = true;
  begin_close_raw(code, reason, false, /*announce=*/false);
}

void ws_protocol::start_close(std::uint32_t code) {
  close_code_ = static_cast<std::uint16_t>(code);
  flush();
}

void ws_protocol::lay_out_write(ws_write& w) {
  if (!peer_closed_) {
    take_batch(context_.config.max_write_batch_bytes, w.batch);
  }
  if (control_) {
    w.control.swap(*control_);
    control_.reset();
  }
  if (w.batch.empty() && (close_started_ || peer_closed_)) {
    w.control += peer_closed_ ? ws::close_frame(echo_code_, {})
                              : ws::close_frame(close_code_, close_reason());
    close_sent_ = true;
  }
}

bool ws_protocol::written() {
  if (close_sent_) {
    if (peer_closed_ || fail_fast_) {
      hard_close();  // our echo completes a handshake the client started
    }
    return false;  // otherwise wait for the client's close frame or the deadline
  }
  return finish_batch() || control_ != nullptr || close_started_;
}

void ws_protocol::deadlines_changed() {
  const auto next = next_deadline();
  if (!next || torn_down_) {
    return;
  }
  // An earlier wake-up already set re-arms for this one.
  context_.wheel.schedule_no_later(*this, *next);
}

void ws_protocol::on_timer() {
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

}  // namespace hearth::net
