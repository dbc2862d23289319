// One timer for every connection's deadlines (hello, ping, pong, token
// expiry, write and close timeouts): a hashed wheel of intrusive lists ticking
// every `tick`, instead of a timer per connection. An idle connection then
// holds a 40-byte hook rather than a timer object, a pending wait operation
// and a slot in the timer heap. Deadlines fire up to one tick late, which none
// of them minds. Thread-safe: sessions on any thread schedule and cancel; a
// due session is woken on its own strand through wheel_client::wheel_fired().
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace hearth::net {

class wheel_client {
 public:
  using steady = std::chrono::steady_clock;

  wheel_client(const wheel_client&) = delete;
  wheel_client& operator=(const wheel_client&) = delete;

  // Called on no particular thread, without the wheel's lock, once the
  // scheduled time has passed; the client hops onto its strand.
  virtual void wheel_fired() = 0;
  // A strong reference if the client is still alive (its destructor may be
  // running on another thread); taken under the wheel's lock.
  virtual std::shared_ptr<wheel_client> wheel_owner() = 0;

 protected:
  wheel_client() = default;
  virtual ~wheel_client() = default;

 private:
  friend class deadline_wheel;
  wheel_client* prev_ = nullptr;
  wheel_client* next_ = nullptr;
  steady::time_point due_{};
  std::uint32_t slot_ = 0;
  bool linked_ = false;
};

class deadline_wheel {
 public:
  using steady = std::chrono::steady_clock;

  explicit deadline_wheel(std::chrono::milliseconds tick = std::chrono::milliseconds(50));
  deadline_wheel(boost::asio::io_context& ioc, std::chrono::milliseconds tick)
      : deadline_wheel(tick) {
    start(ioc);
  }
  deadline_wheel(const deadline_wheel&) = delete;
  deadline_wheel& operator=(const deadline_wheel&) = delete;

  // Ticks on `ioc` from now on. stop() drops the timer (before the io_context
  // goes); the wheel itself may outlive both, for clients that cancel late.
  void start(boost::asio::io_context& ioc);
  void stop();

  // Wakes `client` once at `due` (replacing any earlier schedule).
  void schedule(wheel_client& client, steady::time_point due);
  // The same, unless it is already scheduled no later than `due`.
  void schedule_no_later(wheel_client& client, steady::time_point due);
  // Forgets it; call before the client is destroyed.
  void cancel(wheel_client& client);
  // When `client` is due, if scheduled.
  std::optional<steady::time_point> scheduled(const wheel_client& client) const;

  std::size_t size() const;

 private:
  static constexpr std::uint32_t slot_count = 1024;

  std::uint64_t tick_of(steady::time_point t) const;  // the first tick at or after t
  void link(wheel_client& client, steady::time_point due);
  void unlink(wheel_client& client);
  void arm_locked();
  void on_tick();

  std::optional<boost::asio::steady_timer> timer_;
  steady::duration tick_;
  steady::time_point epoch_;
  mutable std::mutex mutex_;
  std::vector<wheel_client*> slots_;  // list heads
  std::uint64_t done_tick_ = 0;       // every slot up to this tick has been swept
  std::size_t size_ = 0;
  bool armed_ = false;
};

}  // namespace hearth::net
