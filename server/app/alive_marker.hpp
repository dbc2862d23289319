// Writes "the server is alive" marks for this run every interval, and a last one
// when it stops, so that attendance left open by an unclean stop can be closed
// at a time the server vouched for (store::store::begin_run).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/store_writer.hpp"

namespace hearth::app {

class alive_marker {
 public:
  alive_marker(store::store_writer& writer, std::int64_t run, std::chrono::milliseconds interval);
  ~alive_marker();  // the last mark
  alive_marker(const alive_marker&) = delete;
  alive_marker& operator=(const alive_marker&) = delete;

 private:
  void mark();

  store::store_writer& writer_;
  std::int64_t run_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;
};

// Wall-clock Unix milliseconds.
store::time_ms wall_ms();

}  // namespace hearth::app
