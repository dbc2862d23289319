// A handler's turn on the one network thread whose output is written when it
// ends: the replies and fan-out of a client's input, or of work run on a
// room's strand (a join, a store's answer). Sessions that got output meanwhile
// are flushed together, and their sends go to the kernel in one batch
// (net/send_batch), rather than each by a flush posted behind every other
// ready handler. That saves a post and a poll of the reactor per message, a
// system call per send, and the recipients get it sooner. Output made
// elsewhere (timers) is still flushed by a post after its handler. Turns do
// not nest: an inner one does nothing.
#pragma once

namespace hearth::net {

class output_turn {
 public:
  // Does nothing unless `one_thread`: with several threads each session
  // flushes on its own strand.
  explicit output_turn(bool one_thread);
  output_turn(const output_turn&) = delete;
  output_turn& operator=(const output_turn&) = delete;
  ~output_turn();

 private:
  bool active_;
};

}  // namespace hearth::net
