// The PDF layout thread (render_queue.hpp).
#include "pdf/render_queue.hpp"

#include <utility>

namespace hearth::pdf {

render_queue::render_queue(std::size_t max_queued)
    : max_queued_(max_queued), thread_([this] { run(); }) {}

render_queue::~render_queue() { stop(); }

bool render_queue::submit(std::function<void()> job) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) {
      return false;
    }
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void render_queue::stop() {
  std::deque<std::function<void()>> dropped;
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  wake_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void render_queue::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        return;
      }
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

}  // namespace hearth::pdf
