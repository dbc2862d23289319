// io_uring: one system call for a turn's sends.
#include "net/send_batch.hpp"

#include <liburing.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "net/frame_send.hpp"
#include "net/socket_calls.hpp"
#include "telemetry/log.hpp"

namespace hearth::net {
namespace {

constexpr int send_flags = MSG_NOSIGNAL | MSG_DONTWAIT;

thread_local std::unique_ptr<send_batch> this_thread_batch;
thread_local bool this_thread_tried = false;

// Newer kernels run a single thread's ring with less bookkeeping; older ones
// refuse the flags, and the ring is set up without them.
std::unique_ptr<io_uring> make_ring() {
  auto ring = std::make_unique<io_uring>();
  constexpr std::array<unsigned, 3> flag_sets = {
      IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
      IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN, 0U};
  int error = 0;
  for (const unsigned flags : flag_sets) {
    error = io_uring_queue_init(send_batch::max_sends, ring.get(), flags);
    if (error == 0) {
      return ring;
    }
  }
  telemetry::log(telemetry::level::info, "send_batching_unavailable",
                 {{"errno", std::int64_t{-error}}});
  return nullptr;
}

}  // namespace

send_batch* send_batch::for_this_thread() {
  if (!this_thread_tried) {
    this_thread_tried = true;
    if (auto ring = make_ring()) {
      this_thread_batch.reset(new send_batch(std::move(ring)));
    }
  }
  return this_thread_batch.get();
}

send_batch* send_batch::existing_for_this_thread() { return this_thread_batch.get(); }

send_batch::send_batch(std::unique_ptr<io_uring> ring)
    : ring_(std::move(ring)), buffer_(buffer_bytes) {
  sends_.reserve(max_sends);
  reporting_.reserve(max_sends);
}

send_batch::~send_batch() {
  if (ring_) {
    io_uring_queue_exit(ring_.get());
  }
}

bool send_batch::add(std::shared_ptr<batched_sender> sender,
                     std::span<const wire::shared_bytes> messages) {
  const frame_layout layout = lay_out_frame(messages);
  if (layout.total > max_frame_bytes) {
    return false;
  }
  const std::span<char> room = reserve(layout.total);
  if (room.empty()) {
    return false;
  }
  copy_frame(layout, messages, room.data());
  commit(std::move(sender), layout.total);
  return true;
}

std::span<char> send_batch::reserve(std::size_t max_bytes) {
  if (broken_ || !reporting_.empty() || sends_.size() >= max_sends ||
      used_ + max_bytes > buffer_.size()) {
    return {};
  }
  return {buffer_.data() + used_, max_bytes};
}

void send_batch::commit(std::shared_ptr<batched_sender> sender, std::size_t bytes) {
  sends_.push_back({std::move(sender), used_, bytes, 0});
  used_ += bytes;
}

void send_batch::submit() {
  if (sends_.empty()) {
    return;
  }
  if (broken_) {
    send_one_by_one();
    return;
  }
  // The kernel takes a submission's entries in the order they were queued;
  // `queued_` lists the sends in that order.
  unsigned queued = 0;
  for (std::size_t i = 0; i < sends_.size(); ++i) {
    auto& send = sends_[i];
    const int fd = send.sender->batched_socket();
    if (fd < 0) {
      send.result = -ECANCELED;
      continue;
    }
    send.result = -EIO;  // until the kernel reports it
    if (queued < submission_limit_) {
      io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());  // never null: max_sends entries
      io_uring_prep_send(sqe, fd, buffer_.data() + send.offset, send.size, send_flags);
      io_uring_sqe_set_data64(sqe, i);
    }
    queued_[queued++] = i;
  }
  const unsigned prepared = std::min(queued, submission_limit_);
  unsigned taken = 0;
  if (prepared > 0) {
    const int submitted = io_uring_submit(ring_.get());
    taken = submitted > 0 ? std::min(static_cast<unsigned>(submitted), prepared) : 0;
    wait_for(taken);
  }
  if (taken < queued) {
    // Not expected from a ring only this thread uses and always drains. What
    // the kernel took is reported as it went; the rest was never sent and
    // goes out one by one, and this thread stops batching.
    telemetry::log(telemetry::level::error, "send_batching_failed",
                   {{"taken", std::uint64_t{taken}}, {"queued", std::uint64_t{queued}}});
    io_uring_queue_exit(ring_.get());
    ring_.reset();
    broken_ = true;
    for (unsigned k = taken; k < queued; ++k) {
      send_directly(sends_[queued_[k]]);
    }
  }
  report();
}

void send_batch::wait_for(unsigned completions) {
  // Sends that cannot wait finish inside the submission, so their
  // completions are all there; waiting covers a kernel that reports late.
  unsigned seen = 0;
  while (seen < completions) {
    io_uring_cqe* cqe = nullptr;
    const int error = io_uring_wait_cqe(ring_.get(), &cqe);
    if (error == -EINTR) {
      continue;
    }
    if (error < 0) {
      // Not expected; a send not reported counts as failed (-EIO) and its
      // connection closes, since whether it went out is unknown.
      return;
    }
    sends_[io_uring_cqe_get_data64(cqe)].result = cqe->res;
    io_uring_cqe_seen(ring_.get(), cqe);
    ++seen;
  }
}

void send_batch::send_directly(pending_send& send) {
  const int fd = send.sender->batched_socket();
  if (fd < 0) {
    send.result = -ECANCELED;
    return;
  }
  const auto sent = send_plain_bytes(fd, {buffer_.data() + send.offset, send.size});
  send.result = sent.error != 0 ? -sent.error : static_cast<int>(sent.written);
}

void send_batch::send_one_by_one() {
  for (auto& send : sends_) {
    send_directly(send);
  }
  report();
}

void send_batch::report() {
  // Reports may write more (one by one, as add() refuses meanwhile); the
  // frames stay where they are until every report is made.
  reporting_.swap(sends_);
  for (auto& send : reporting_) {
    const std::string_view frame(buffer_.data() + send.offset, send.size);
    std::size_t written = 0;
    int error = 0;
    if (send.result >= 0) {
      written = static_cast<std::size_t>(send.result);
    } else if (send.result != -EAGAIN && send.result != -EWOULDBLOCK) {
      error = -send.result;
    }
    send.sender->batched_send_done(frame, written, error);
    send.sender.reset();
  }
  reporting_.clear();
  used_ = 0;
}

}  // namespace hearth::net
