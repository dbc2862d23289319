// The protocol side of one WebSocket connection, free of Beast: Hello and token
// checks, routing commands to the room, rate limiting, ping/pong bookkeeping
// and the bounded outbound queue. ws_session adds the socket. Everything but
// deliver(), close() and released_by() runs on the session's strand.
#pragma once

#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/connection.hpp"
#include "net/deadline_wheel.hpp"
#include "net/output_turn.hpp"
#include "net/packed_identity.hpp"
#include "net/room_runner.hpp"
#include "net/send_batch.hpp"
#include "net/session_context.hpp"
#include "net/spin_lock.hpp"

namespace hearth::net {

// A steady-clock time or none in 8 bytes (std::optional takes 16): every
// connection holds several.
class maybe_time {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  maybe_time() = default;
  maybe_time& operator=(time_point t) {
    ticks_ = t.time_since_epoch().count();
    return *this;
  }
  explicit operator bool() const { return ticks_ != none; }
  time_point operator*() const { return time_point(time_point::duration(ticks_)); }
  void reset() { ticks_ = none; }

 private:
  using rep = time_point::rep;
  static constexpr rep none = std::numeric_limits<rep>::min();
  rep ticks_ = none;
};

class session_core : public connection, public wheel_client, public batched_sender {
 public:
  using steady = std::chrono::steady_clock;

  explicit session_core(session_context& context);
  session_core(const session_core&) = delete;
  session_core& operator=(const session_core&) = delete;
  ~session_core() override;

  core::connection_id id() const final { return id_; }
  void deliver(wire::shared_bytes bytes) final;
  void deliver_alone(const wire::shared_bytes& bytes) final;
  void close(v1::CloseCode code, std::string reason) final;
  void released_by(const std::shared_ptr<room_runner>& runner) final;
  std::shared_ptr<wheel_client> wheel_owner() final;

 protected:
  // Transport hooks, implemented by ws_session.
  virtual void run_on_strand(std::function<void()> work) = 0;
  virtual void schedule_flush() = 0;                 // any thread: run flush() on the strand
  virtual void post_after_turn(void (*work)()) = 0;  // run work once this handler returns
  virtual void flush() = 0;                          // strand: start a write if idle
  virtual void start_close(std::uint32_t code) = 0;  // strand: write final bytes, close
  virtual void deadlines_changed() = 0;              // strand: reschedule on the deadline wheel
  // One thread, nothing queued: writes `bytes` now (what the socket does not
  // take continues asynchronously). False if this transport cannot.
  virtual bool write_alone(const wire::shared_bytes& bytes) = 0;

  // Inside an output turn with batching on: the thread's batch of sends,
  // which the turn's end submits. Null otherwise: a session sends itself.
  send_batch* turn_batch() const;
  // This session as the owner of a send in a batch (kept alive until its report).
  std::shared_ptr<batched_sender> as_batched_sender();

  // Strand: one inbound binary frame.
  void on_frame(std::string_view frame);
  // Strand: called once when the transport is gone, for whatever reason.
  void on_finished();
  // Strand: begins an orderly close with a final Disconnect message.
  void begin_close(v1::CloseCode code, std::string_view reason);
  // `announce` false: a WebSocket-level failure (1002, 1009) that closes
  // without a Disconnect message and drops what is queued.
  void begin_close_raw(std::uint32_t code, std::string_view reason, bool reconnect,
                       bool announce = true);

  // Strand: timers. Returns the earliest deadline still pending.
  std::optional<steady::time_point> next_deadline() const;
  void on_deadline(steady::time_point now);

  // Moves queued messages for one write into `batch` (cleared first), up to
  // `max_bytes` but at least one. Returns whether messages are left queued;
  // when none are, the next delivery schedules a flush again, so a write that
  // completes at once needs no second look at the queue (finish_batch).
  bool take_batch(std::size_t max_bytes, std::vector<wire::shared_bytes>& batch);
  // After a completed write: true if more is queued (the write loop continues).
  bool finish_batch();

  // For the close frame, at most 123 bytes; empty until the close begins.
  std::string_view close_reason() const {
    return close_reason_ ? std::string_view(*close_reason_) : std::string_view();
  }

  session_context& context_;
  maybe_time write_started_;
  maybe_time close_deadline_;

 private:
  void handle(v1::ClientMessage& message);
  void handle_hello(const v1::ClientMessage& message);
  void handle_join(v1::ClientMessage& message);
  void reply(std::uint32_t request_id, v1::Reply reply);
  void reply_error(std::uint32_t request_id, v1::ErrorCode code, std::string message,
                   bool temporary = false);
  bool admit_by_rate(const v1::ClientMessage& message);
  std::shared_ptr<session_core> self();
  void mark_dirty();
  friend class output_turn;  // flushes the dirty sessions when a turn ends
  static void flush_dirty_sessions();

  core::connection_id id_;
  packed_identity identity_;                         // set by Hello
  std::unique_ptr<const std::string> close_reason_;  // only a closing session has one
  std::shared_ptr<room_runner> room_;

  // Deadlines (steady clock). Until Hello, auth_deadline_ is the Hello
  // deadline; after it, the token's expiry.
  steady::time_point auth_deadline_;
  maybe_time next_ping_;
  maybe_time pong_deadline_;
  std::uint32_t ping_nonce_ = 0;

  // Rate limiting: a token bucket over client messages.
  std::uint32_t rate_strikes_ = 0;
  double rate_tokens_;
  steady::time_point rate_refilled_;

  // Outbound queue, shared with room strands. Each holder only moves a few
  // pointers (or clears a slow consumer's backlog), so a spin lock suffices.
  std::vector<wire::shared_bytes> queue_;  // FIFO; a deque would cost 600 bytes when empty
  std::size_t queued_bytes_ = 0;
  spin_lock queue_lock_;
  bool flush_scheduled_ = false;
  bool queue_closed_ = false;
  bool finished_ = false;

 protected:
  bool close_started_ = false;  // declared here to share the flags' padding
};

}  // namespace hearth::net
