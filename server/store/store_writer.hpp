// Runs a store's writes on its own thread, off the network threads, batching
// whatever has queued up into one transaction (group commit). A write's
// completion runs on the writer thread after its batch committed (true) or
// failed (false): nothing is acknowledged before it is durable. Reads queue
// with the writes, so that each sees everything submitted before it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace hearth::store {

struct writer_limits {
  std::size_t max_queued = 100'000;  // writes and reads waiting; refused beyond
  std::size_t max_batch = 1000;      // writes per transaction
  // How long a batch nobody waits for (attendance, audit notes) may wait for
  // more before it commits: a commit's cost (locks, pages, an fdatasync) is
  // then shared by a join storm's records instead of paid every few joins.
  // A write with a completion, a read or a flush commits at once.
  std::chrono::milliseconds linger{5};
};

class store_writer {
 public:
  using completion = std::function<void(bool committed)>;

  store_writer(store& target, writer_limits limits);
  // Commits (and reads) everything already submitted, then stops.
  ~store_writer();
  store_writer(const store_writer&) = delete;
  store_writer& operator=(const store_writer&) = delete;

  // Queues a write. False (and `done` is not called) when the queue is full.
  bool submit(write w, completion done = {});
  // Runs `job` on the writer thread once every write submitted before it has
  // been attempted, so it reads what they wrote. False (and `job` never runs)
  // when the queue is full or the writer is stopping.
  bool read(std::function<void(store&)> job);
  // Blocks until every write and read submitted before the call has been
  // attempted.
  void flush();

  std::uint64_t commits() const;
  std::uint64_t failures() const;

 private:
  struct pending {
    write what;
    completion done;
    std::function<void(store&)> job;  // set for a read, which writes nothing
  };
  void run();
  void run_read(const std::function<void(store&)>& job);
  // Whether the writer should commit now instead of lingering for more.
  bool commit_now() const;

  store& store_;
  writer_limits limits_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::vector<pending> queue_;
  std::uint64_t submitted_ = 0;
  std::uint64_t attempted_ = 0;
  std::uint64_t commits_ = 0;
  std::uint64_t failures_ = 0;
  std::size_t awaited_ = 0;  // queued entries someone waits for: completions and reads
  std::size_t flushes_ = 0;  // callers in flush()
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace hearth::store
