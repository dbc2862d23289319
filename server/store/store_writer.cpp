// The store's writer thread and its group commit.
#include "store/store_writer.hpp"

#include "telemetry/log.hpp"

namespace hearth::store {

store_writer::store_writer(store& target, writer_limits limits)
    : store_(target), limits_(limits), thread_([this] { run(); }) {}

store_writer::~store_writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool store_writer::submit(write w, completion done) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= limits_.max_queued || stopping_) {
      return false;
    }
    // A record nobody waits for does not wake a lingering writer: it is
    // woken for the first record, for one that is waited for, and when full.
    wake = queue_.empty() || done || queue_.size() + 1 >= limits_.max_batch;
    if (done) {
      ++awaited_;
    }
    queue_.push_back({std::move(w), std::move(done), {}});
    ++submitted_;
  }
  if (wake) {
    wake_.notify_one();
  }
  return true;
}

bool store_writer::read(std::function<void(store&)> job) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= limits_.max_queued || stopping_) {
      return false;
    }
    queue_.push_back({write{}, {}, std::move(job)});
    ++awaited_;
    ++submitted_;
  }
  wake_.notify_one();
  return true;
}

void store_writer::flush() {
  std::unique_lock lock(mutex_);
  const auto target = submitted_;
  ++flushes_;
  wake_.notify_one();
  drained_.wait(lock, [&] { return attempted_ >= target; });
  --flushes_;
}

bool store_writer::commit_now() const {
  return stopping_ || awaited_ > 0 || flushes_ > 0 || queue_.size() >= limits_.max_batch;
}

std::uint64_t store_writer::commits() const {
  std::lock_guard lock(mutex_);
  return commits_;
}

std::uint64_t store_writer::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

void store_writer::run() {
  std::vector<pending> batch;
  std::vector<write> writes;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping, and everything submitted was attempted
      }
      if (limits_.linger.count() > 0 && !commit_now()) {
        wake_.wait_for(lock, limits_.linger, [&] { return commit_now(); });
      }
      // Everything that queued while the last commit ran goes in this one, up
      // to the first read: that runs on its own, after the batch committed.
      std::size_t n = 1;
      if (!queue_.front().job) {
        const auto limit = std::min(queue_.size(), limits_.max_batch);
        while (n < limit && !queue_[n].job) {
          ++n;
        }
      }
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      for (const auto& p : batch) {
        if (p.done || p.job) {
          --awaited_;
        }
      }
    }
    if (batch.front().job) {
      run_read(batch.front().job);
      {
        std::lock_guard lock(mutex_);
        ++attempted_;
      }
      drained_.notify_all();
      batch.clear();
      continue;
    }
    writes.clear();
    for (auto& p : batch) {
      writes.push_back(std::move(p.what));
    }
    bool ok = true;
    try {
      store_.commit(writes);
    } catch (const store_error& e) {
      ok = false;
      // The message may name the file; never content, which no write carries
      // into an error text.
      telemetry::log(telemetry::level::error, "store_commit_failed",
                     {{"kind", std::string_view(kind_name(e.which()))},
                      {"writes", static_cast<std::int64_t>(writes.size())}});
    }
    for (auto& p : batch) {
      if (p.done) {
        p.done(ok);
      }
    }
    {
      std::lock_guard lock(mutex_);
      attempted_ += batch.size();
      ok ? ++commits_ : ++failures_;
    }
    drained_.notify_all();
    batch.clear();
  }
}

void store_writer::run_read(const std::function<void(store&)>& job) {
  try {
    job(store_);
  } catch (const store_error& e) {
    // The kind only: a job may throw with any message, content included.
    telemetry::log(telemetry::level::error, "store_read_failed",
                   {{"kind", std::string_view(kind_name(e.which()))}});
  }
}

}  // namespace hearth::store
