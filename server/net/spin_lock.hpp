// A one-byte lock for critical sections of a few instructions, where a
// std::mutex would add 40 bytes to every connection. A waiter spins briefly,
// then yields its core, so a holder preempted on the same core runs on.
#pragma once

#include <atomic>
#include <thread>

namespace hearth::net {

class spin_lock {
 public:
  void lock() noexcept {
    int spins = 0;
    while (flag_.test_and_set(std::memory_order_acquire)) {
      // Wait on plain loads: they leave the cache line shared until it is freed.
      while (flag_.test(std::memory_order_relaxed)) {
        if (++spins >= spins_before_yield) {
          std::this_thread::yield();
        }
      }
    }
  }

  bool try_lock() noexcept { return !flag_.test_and_set(std::memory_order_acquire); }

  void unlock() noexcept { flag_.clear(std::memory_order_release); }

 private:
  static constexpr int spins_before_yield = 64;
  std::atomic_flag flag_;  // clear from construction (C++20)
};

}  // namespace hearth::net
