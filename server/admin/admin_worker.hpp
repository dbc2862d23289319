// Runs admin API calls on a thread of their own, one at a time, so that their
// blocking store calls never hold up a network thread. The queue is bounded:
// beyond it a call is answered 503 at once.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "admin/admin_api.hpp"

namespace hearth::admin {

class worker {
 public:
  using reply = std::function<void(response)>;

  worker(api& handler, std::size_t max_queued);
  ~worker();  // stop()

  // Answers what is queued, then joins the thread. Call it while whatever the
  // replies post to still exists (the server's io_context): a reply closure
  // holds an HTTP session.
  void stop();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  // `done` runs on the worker thread; post from it to where the answer goes.
  void submit(request req, reply done);

 private:
  void run();

  api& api_;
  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<request, reply>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hearth::admin
