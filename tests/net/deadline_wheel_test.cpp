// The shared deadline wheel on a real io_context and the real clock: nothing
// fires before its deadline, cancelled and dead clients never fire, and a
// deadline more than a lap away waits for its own lap. Only lower bounds on
// time are asserted; how late a wake-up comes depends on the machine.
#include "net/deadline_wheel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace hearth::net {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

class probe final : public wheel_client, public std::enable_shared_from_this<probe> {
 public:
  void wheel_fired() override { fired.push_back(steady::now()); }
  std::shared_ptr<wheel_client> wheel_owner() override { return weak_from_this().lock(); }
  std::vector<steady::time_point> fired;
};

// Woken exactly once, and not before `due`.
::testing::AssertionResult woke_once_after(const probe& p, steady::time_point due) {
  if (p.fired.size() != 1) {
    return ::testing::AssertionFailure() << "woken " << p.fired.size() << " times";
  }
  if (p.fired[0] < due) {
    return ::testing::AssertionFailure() << "woken early";
  }
  return ::testing::AssertionSuccess();
}

// A wheel on its own io_context, and the time the test began.
struct wheel_run {
  explicit wheel_run(std::chrono::milliseconds tick) : wheel(ioc, tick) {}

  // Runs the context until `start + after` (the wheel keeps no work alive
  // once it is empty, so a guard timer bounds the run).
  void run_for(std::chrono::milliseconds after) {
    boost::asio::steady_timer guard(ioc);
    guard.expires_at(start + after);
    guard.async_wait([&](boost::system::error_code) { ioc.stop(); });
    ioc.run();
    ioc.restart();
  }

  boost::asio::io_context ioc;
  deadline_wheel wheel;
  steady::time_point start = steady::now();
};

TEST(deadline_wheel, wakes_each_client_once_and_never_early) {
  wheel_run run(5ms);
  auto& wheel = run.wheel;
  const auto start = run.start;
  std::vector<std::shared_ptr<probe>> probes;
  const std::vector<std::chrono::milliseconds> delays = {0ms, 3ms, 20ms, 20ms, 47ms, 120ms};
  for (const auto delay : delays) {
    probes.push_back(std::make_shared<probe>());
    wheel.schedule(*probes.back(), start + delay);
  }
  EXPECT_EQ(wheel.size(), delays.size());
  run.run_for(400ms);
  for (std::size_t i = 0; i < delays.size(); ++i) {
    EXPECT_TRUE(woke_once_after(*probes[i], start + delays[i])) << "client " << i;
  }
  EXPECT_EQ(wheel.size(), 0U);
}

TEST(deadline_wheel, cancel_and_reschedule) {
  wheel_run run(5ms);
  auto& wheel = run.wheel;
  const auto start = run.start;
  auto cancelled = std::make_shared<probe>();
  auto moved_later = std::make_shared<probe>();
  auto kept_earlier = std::make_shared<probe>();
  wheel.schedule(*cancelled, start + 10ms);
  wheel.cancel(*cancelled);
  wheel.schedule(*moved_later, start + 10ms);
  wheel.schedule(*moved_later, start + 60ms);
  wheel.schedule(*kept_earlier, start + 15ms);
  wheel.schedule_no_later(*kept_earlier, start + 90ms);  // already earlier: unchanged
  EXPECT_EQ(wheel.scheduled(*kept_earlier), start + 15ms);
  EXPECT_EQ(wheel.scheduled(*cancelled), std::nullopt);
  run.run_for(300ms);
  EXPECT_TRUE(cancelled->fired.empty());
  EXPECT_TRUE(woke_once_after(*moved_later, start + 60ms));
  EXPECT_TRUE(woke_once_after(*kept_earlier, start + 15ms));
}

TEST(deadline_wheel, a_client_being_destroyed_is_skipped) {
  wheel_run run(5ms);
  auto& wheel = run.wheel;
  const auto start = run.start;
  auto alive = std::make_shared<probe>();
  // Its owner is gone but it is still linked, as when a session's last
  // reference drops on another thread while the wheel sweeps.
  probe orphan;
  wheel.schedule(orphan, start + 5ms);
  wheel.schedule(*alive, start + 5ms);
  run.run_for(200ms);
  EXPECT_TRUE(orphan.fired.empty());
  EXPECT_EQ(alive->fired.size(), 1U);
  EXPECT_EQ(wheel.size(), 0U);
}

TEST(deadline_wheel, a_deadline_past_one_lap_waits_for_its_lap) {
  // 1 ms ticks: a lap of the 1024 slots is about one second.
  wheel_run run(1ms);
  auto& wheel = run.wheel;
  const auto start = run.start;
  auto far = std::make_shared<probe>();
  auto near = std::make_shared<probe>();
  wheel.schedule(*far, start + 1300ms);
  wheel.schedule(*near, start + 276ms);  // the same slot as `far`, one lap earlier
  run.run_for(1000ms);
  EXPECT_TRUE(far->fired.empty()) << "woke a lap early";
  EXPECT_EQ(near->fired.size(), 1U);
  run.run_for(1800ms);
  EXPECT_TRUE(woke_once_after(*far, start + 1300ms));
}

TEST(deadline_wheel, many_threads_schedule_and_cancel) {
  wheel_run run(2ms);
  auto& wheel = run.wheel;
  constexpr int clients = 400;
  std::vector<std::shared_ptr<probe>> probes;
  probes.reserve(clients);
  for (int i = 0; i < clients; ++i) {
    probes.push_back(std::make_shared<probe>());
  }
  const auto start = run.start;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < clients; i += 4) {
        wheel.schedule(*probes[static_cast<std::size_t>(i)],
                       start + std::chrono::milliseconds(i % 50));
        if (i % 3 == 0) {
          wheel.cancel(*probes[static_cast<std::size_t>(i)]);
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  run.run_for(400ms);
  for (int i = 0; i < clients; ++i) {
    EXPECT_EQ(probes[static_cast<std::size_t>(i)]->fired.size(), i % 3 == 0 ? 0U : 1U) << i;
  }
  EXPECT_EQ(wheel.size(), 0U);
}

}  // namespace
}  // namespace hearth::net
