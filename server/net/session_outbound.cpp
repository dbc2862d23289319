// The outbound side of a session: the bounded queue that room strands deliver
// into, the end-of-turn flush of sessions that got output (one thread), and
// the batches a write takes from the queue.
#include <algorithm>
#include <mutex>

#include "net/session_core.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {
namespace {

constexpr std::size_t idle_queue_capacity = 16;

// With one network thread, sessions that got output during a turn of the event
// loop are flushed together when it ends: one post per fan-out instead of one
// per recipient, and one write per recipient whatever the turn queued for it.
thread_local std::vector<std::shared_ptr<session_core>> dirty_sessions;
// Set while an output_turn is open on this thread: its end flushes them.
thread_local bool in_output_turn = false;

}  // namespace

void session_core::deliver(wire::shared_bytes bytes) {
  bool kick = false;
  bool overflow = false;
  const std::size_t size = bytes.size();
  {
    std::lock_guard lock(queue_lock_);
    if (queue_closed_) {
      return;
    }
    if (queued_bytes_ + size > context_.config.max_outbound_queue_bytes) {
      overflow = true;
      queue_closed_ = true;
      queue_.clear();
      queued_bytes_ = 0;
    } else {
      queued_bytes_ += size;
      queue_.push_back(std::move(bytes));
      kick = !flush_scheduled_;
      flush_scheduled_ = true;
    }
  }
  if (overflow) {
    telemetry::global_metrics().queue_overflows.fetch_add(1, std::memory_order_relaxed);
    run_on_strand([self = self()] {
      self->begin_close(v1::CLOSE_CODE_SLOW_CONSUMER, "outbound queue full");
    });
    return;
  }
  if (kick) {
    if (context_.config.threads <= 1) {
      mark_dirty();
    } else {
      schedule_flush();
    }
  }
}

output_turn::output_turn(bool one_thread) : active_(one_thread && !in_output_turn) {
  if (active_) {
    in_output_turn = true;
  }
}

output_turn::~output_turn() {
  if (!active_) {
    return;
  }
  // Flushes add their sends to the batch; a report may queue more output
  // (a session whose send was in the batch writes what came meanwhile), so
  // until nothing is left.
  for (;;) {
    session_core::flush_dirty_sessions();
    send_batch* batch = send_batch::existing_for_this_thread();
    if (batch == nullptr || batch->empty()) {
      if (dirty_sessions.empty()) {
        break;
      }
      continue;
    }
    batch->submit();
  }
  in_output_turn = false;
}

send_batch* session_core::turn_batch() const {
  return in_output_turn && context_.config.batch_sends ? send_batch::for_this_thread() : nullptr;
}

std::shared_ptr<batched_sender> session_core::as_batched_sender() {
  return {self(), static_cast<batched_sender*>(this)};
}

void session_core::deliver_alone(const wire::shared_bytes& bytes) {
  if (context_.config.threads <= 1) {
    // Bytes over the queue's limit go the queued way, which closes the
    // connection as a slow consumer, as it does whatever the queue holds.
    bool idle = false;
    if (bytes.size() <= context_.config.max_outbound_queue_bytes) {
      std::lock_guard lock(queue_lock_);
      idle = queue_.empty() && !queue_closed_;
    }
    if (idle && write_alone(bytes)) {
      // One network thread is the only writer of these counters: a plain
      // add, without the locked instruction of fetch_add, on every delivery.
      auto& m = telemetry::global_metrics();
      m.messages_out.store(m.messages_out.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
      m.bytes_out.store(m.bytes_out.load(std::memory_order_relaxed) + bytes.size(),
                        std::memory_order_relaxed);
      return;
    }
  }
  deliver(bytes);
}

void session_core::mark_dirty() {
  if (dirty_sessions.empty() && !in_output_turn) {
    post_after_turn(&session_core::flush_dirty_sessions);
  }
  dirty_sessions.push_back(self());
}

void session_core::flush_dirty_sessions() {
  std::vector<std::shared_ptr<session_core>> sessions;
  sessions.swap(dirty_sessions);
  // Single-threaded: no other handler runs meanwhile, so touching each
  // session here is as safe as on its strand.
  for (const auto& session : sessions) {
    session->flush();
  }
  sessions.clear();
  if (dirty_sessions.empty()) {
    sessions.swap(dirty_sessions);  // keep the capacity for the next turn
  }
}

bool session_core::take_batch(std::size_t max_bytes, std::vector<wire::shared_bytes>& batch) {
  batch.clear();
  std::lock_guard lock(queue_lock_);
  std::size_t bytes = 0;
  std::size_t taken = 0;
  if (queued_bytes_ <= max_bytes) {
    // Everything fits (the usual case): no need to look at each message's size.
    // The buffers trade places; the check below keeps an idle queue small.
    bytes = queued_bytes_;
    taken = queue_.size();
    batch.swap(queue_);
  } else {
    while (taken < queue_.size() && (batch.empty() || bytes + queue_[taken].size() <= max_bytes)) {
      bytes += queue_[taken].size();
      batch.push_back(std::move(queue_[taken]));
      ++taken;
    }
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(taken));
  }
  queued_bytes_ -= std::min(queued_bytes_, bytes);
  if (queue_.empty()) {
    flush_scheduled_ = false;
    if (queue_.capacity() > idle_queue_capacity) {
      std::vector<wire::shared_bytes>().swap(queue_);  // an idle connection keeps no backlog room
    }
  }
  if (!batch.empty()) {
    // Counted per batch rather than per delivery: a locked add per recipient
    // was a measurable share of the fan-out's user time.
    auto& m = telemetry::global_metrics();
    m.messages_out.fetch_add(taken, std::memory_order_relaxed);
    m.bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  }
  return !queue_.empty();
}

bool session_core::finish_batch() {
  std::lock_guard lock(queue_lock_);
  if (queue_.empty()) {
    flush_scheduled_ = false;
    return false;
  }
  return true;
}

}  // namespace hearth::net
