// The PDF render queue: jobs run in order on one thread, at most max_queued
// wait, and stop drops what waits but lets the running job finish.
#include "pdf/render_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace hearth::pdf {
namespace {

TEST(render_queue, runs_jobs_in_order_and_refuses_beyond_its_bound) {
  render_queue queue(2);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  std::mutex m;
  std::vector<int> ran;
  ASSERT_TRUE(queue.submit([&] {
    started.set_value();
    released.wait();  // holds the thread, so the next jobs wait
    const std::lock_guard lock(m);
    ran.push_back(0);
  }));
  started.get_future().wait();
  std::promise<void> last;
  EXPECT_TRUE(queue.submit([&] {
    const std::lock_guard lock(m);
    ran.push_back(1);
  }));
  EXPECT_TRUE(queue.submit([&] {
    {
      const std::lock_guard lock(m);
      ran.push_back(2);
    }
    last.set_value();
  }));
  EXPECT_FALSE(queue.submit([] {})) << "two wait already";
  release.set_value();
  last.get_future().wait();
  const std::lock_guard lock(m);
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2}));
}

TEST(render_queue, stop_drops_what_waits_and_refuses_after) {
  render_queue queue(100'000);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> ran{0};
  ASSERT_TRUE(queue.submit([&] {
    started.set_value();
    released.wait();
    ++ran;
  }));
  started.get_future().wait();
  std::atomic<int> waiting_ran{0};
  ASSERT_TRUE(queue.submit([&] { ++waiting_ran; }));
  std::thread stopper([&] { queue.stop(); });
  // Until the stop has begun, every job submitted waits behind the held one.
  while (queue.submit([&] { ++waiting_ran; })) {
    std::this_thread::yield();
  }
  release.set_value();
  stopper.join();
  EXPECT_EQ(ran.load(), 1) << "the running job finished";
  EXPECT_EQ(waiting_ran.load(), 0) << "the waiting ones were dropped";
  EXPECT_FALSE(queue.submit([] {}));
}

}  // namespace
}  // namespace hearth::pdf
