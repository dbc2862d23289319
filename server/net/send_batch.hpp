// The sends of one turn of the event loop, handed to the kernel together. A
// message fanned out to a room is a send per recipient, and on a machine
// where entering the kernel is dear (a virtual machine with page-table
// isolation: about 1 us a system call) the entries cost as much as a fifth
// of each send. With io_uring a turn's sends go in with one system call: the
// kernel runs each at once, without waiting (MSG_DONTWAIT), as send() would
// have, and reports how much of each it took. See decision 0012. Over TLS a
// session seals its record into the batch, so only the system call moves.
//
// One batch per network thread, used only with one network thread (the
// sessions' writes and this batch then share the thread). A session has at
// most one send in a batch: whatever it gets meanwhile waits in its queue
// until the report of that send, so its bytes stay in order.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "wire/frame_codec.hpp"

struct io_uring;

namespace hearth::net {

// A session's side of a batched send.
class batched_sender {
 public:
  // The socket to send on now, or -1 if the session closed it meanwhile (its
  // send is then dropped and reported as not written).
  virtual int batched_socket() = 0;
  // After submit(): `frame` is the whole frame, `written` how much of it the
  // socket took, `error` an errno of a failed send (0 after a full, partial or
  // refused one). `frame` is valid only during the call.
  virtual void batched_send_done(std::string_view frame, std::size_t written, int error) = 0;

 protected:
  batched_sender() = default;
  batched_sender(const batched_sender&) = default;
  batched_sender& operator=(const batched_sender&) = default;
  ~batched_sender() = default;
};

class send_batch {
 public:
  // At most this many sends per batch, and this many bytes of frames.
  static constexpr unsigned max_sends = 256;
  static constexpr std::size_t buffer_bytes = std::size_t{128} * 1024;
  // A frame larger than this is not batched: copying it costs more than the
  // system call it would save, and it goes straight from the messages.
  static constexpr std::size_t max_frame_bytes = 2048;

  // This thread's batch, set up on first use; null if the kernel refuses
  // io_uring (then sessions send one by one, as without batching).
  static send_batch* for_this_thread();
  // This thread's batch if it was set up, else null.
  static send_batch* existing_for_this_thread();

  send_batch(const send_batch&) = delete;
  send_batch& operator=(const send_batch&) = delete;
  ~send_batch();

  // Frames `messages` as one binary WebSocket frame into the batch, to be
  // sent for `sender`. False if it does not fit (frame too large, batch
  // full) or the batch is reporting: the caller then sends it itself.
  bool add(std::shared_ptr<batched_sender> sender, std::span<const wire::shared_bytes> messages);

  // For bytes made elsewhere (a TLS record sealed in place): room for up to
  // `max_bytes`, empty if the batch refuses (full, or reporting). The bytes
  // written there join the batch by commit(), before anything else is added.
  std::span<char> reserve(std::size_t max_bytes);
  void commit(std::shared_ptr<batched_sender> sender, std::size_t bytes);

  bool empty() const { return sends_.empty(); }

  // Sends everything added, with one system call, and reports each send to
  // its sender in the order added. While reporting, add() refuses: a sender
  // writing more then writes it itself, behind what was just sent.
  void submit();

  // Tests only: the kernel is given at most `sends` of a submission, as if it
  // had taken no more, so the path for a short submission can be checked.
  void limit_submission_for_testing(unsigned sends) { submission_limit_ = sends; }

 private:
  struct pending_send {
    std::shared_ptr<batched_sender> sender;
    std::size_t offset = 0;  // of the frame in buffer_
    std::size_t size = 0;
    int result = 0;  // bytes sent, or a negated errno
  };

  explicit send_batch(std::unique_ptr<io_uring> ring);
  // Once the kernel failed a submission: every send goes out one by one.
  void send_one_by_one();
  void send_directly(pending_send& send);
  void wait_for(unsigned completions);
  void report();

  std::unique_ptr<io_uring> ring_;
  std::vector<char> buffer_;
  std::size_t used_ = 0;
  std::vector<pending_send> sends_;
  std::vector<pending_send> reporting_;
  std::array<std::size_t, max_sends> queued_{};  // indices into sends_, in submission order
  unsigned submission_limit_ = max_sends;
  bool broken_ = false;
};

}  // namespace hearth::net
