// The admin API's thread.
#include "admin/admin_worker.hpp"

namespace hearth::admin {

worker::worker(api& handler, std::size_t max_queued)
    : api_(handler), max_queued_(max_queued), thread_([this] { run(); }) {}

worker::~worker() { stop(); }

void worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void worker::submit(request req, reply done) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() < max_queued_ && !stopping_) {
      queue_.emplace_back(std::move(req), std::move(done));
      wake_.notify_one();
      return;
    }
  }
  done(response{503, "application/json",
                R"({"error":{"code":"busy","message":"too many admin calls queued; retry"}})"
                "\n"});
}

void worker::run() {
  for (;;) {
    std::pair<request, reply> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;
      }
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.second(api_.handle(job.first));
  }
}

}  // namespace hearth::admin
