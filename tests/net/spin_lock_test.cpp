// The outbound queue's lock: mutual exclusion between threads, including more
// threads than cores (a waiter must yield to a preempted holder).
#include "net/spin_lock.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

namespace hearth::net {
namespace {

TEST(spin_lock, try_lock_fails_while_held) {
  spin_lock lock;
  ASSERT_TRUE(lock.try_lock());
  EXPECT_FALSE(lock.try_lock());
  lock.unlock();
  EXPECT_TRUE(lock.try_lock());
  lock.unlock();
}

TEST(spin_lock, excludes_other_threads) {
  spin_lock lock;
  std::vector<int> shared;  // not atomic: a missed exclusion loses or corrupts items
  constexpr int threads = 8;
  constexpr int rounds = 20'000;
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < rounds; ++i) {
        const std::lock_guard guard(lock);
        shared.push_back(i);
      }
    });
  }
  for (auto& worker : workers) {
    worker.join();
  }
  EXPECT_EQ(shared.size(), std::size_t{threads} * rounds);
}

}  // namespace
}  // namespace hearth::net
