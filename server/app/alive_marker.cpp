// Periodic alive marks.
#include "app/alive_marker.hpp"

namespace hearth::app {

store::time_ms wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

alive_marker::alive_marker(store::store_writer& writer, std::int64_t run,
                           std::chrono::milliseconds interval)
    : writer_(writer), run_(run), interval_(interval), thread_([this] {
        std::unique_lock lock(mutex_);
        while (!stop_.wait_for(lock, interval_, [this] { return stopping_; })) {
          mark();
        }
      }) {}

alive_marker::~alive_marker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_one();
  thread_.join();
  mark();
}

void alive_marker::mark() { writer_.submit(store::alive_mark{run_, wall_ms()}); }

}  // namespace hearth::app
