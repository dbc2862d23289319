// PDF layouts on a thread of their own, one at a time, so that no room's
// executor waits for fonts or layout. Bounded: with `max_queued` jobs
// waiting, submit refuses and the caller answers "busy, retry".
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace hearth::pdf {

class render_queue {
 public:
  explicit render_queue(std::size_t max_queued);
  ~render_queue();  // stop()
  render_queue(const render_queue&) = delete;
  render_queue& operator=(const render_queue&) = delete;

  // Runs `job` on the queue's thread; false (and `job` is dropped) when the
  // queue is full or stopped. A job posts its result to where it belongs.
  bool submit(std::function<void()> job);

  // Drops what waits, lets the job running finish, and joins the thread.
  // Call it while what the jobs post to still exists.
  void stop();

 private:
  void run();

  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hearth::pdf
