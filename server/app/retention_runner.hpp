// The server's own retention purge: once at start-up, before it serves, and
// then every interval (a day), each time as a read job on the store writer's
// thread, so that it runs in order with the writes and never on a network
// thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/retention.hpp"
#include "store/store_writer.hpp"

namespace hearth::app {

class retention_runner {
 public:
  // Purges once and returns when that purge is done (or failed).
  retention_runner(store::store_writer& writer, store::retention_policy policy,
                   std::chrono::milliseconds interval);
  ~retention_runner();  // no purge on the way out
  retention_runner(const retention_runner&) = delete;
  retention_runner& operator=(const retention_runner&) = delete;

 private:
  void submit();

  store::store_writer& writer_;
  store::retention_policy policy_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hearth::app
