// The shared deadline wheel. A client is in the slot of the first tick at or
// after its deadline; a sweep of a slot wakes only those whose deadline has
// passed, so a deadline more than one lap away simply waits for a later lap.
#include "net/deadline_wheel.hpp"

#include <algorithm>

namespace hearth::net {

deadline_wheel::deadline_wheel(std::chrono::milliseconds tick)
    : tick_(std::max<steady::duration>(tick, std::chrono::milliseconds(1))),
      epoch_(steady::now()),
      slots_(slot_count, nullptr) {}

void deadline_wheel::start(boost::asio::io_context& ioc) {
  const std::lock_guard lock(mutex_);
  timer_.emplace(ioc);
  armed_ = false;
  if (size_ > 0) {
    arm_locked();
  }
}

void deadline_wheel::stop() {
  const std::lock_guard lock(mutex_);
  timer_.reset();  // a pending wait is abandoned with the io_context
  armed_ = false;
}

std::uint64_t deadline_wheel::tick_of(steady::time_point t) const {
  if (t <= epoch_) {
    return 0;
  }
  const auto since = t - epoch_;
  return static_cast<std::uint64_t>((since + tick_ - steady::duration(1)) / tick_);
}

void deadline_wheel::schedule(wheel_client& client, steady::time_point due) {
  const std::lock_guard lock(mutex_);
  link(client, due);
}

void deadline_wheel::schedule_no_later(wheel_client& client, steady::time_point due) {
  const std::lock_guard lock(mutex_);
  if (!client.linked_ || client.due_ > due) {
    link(client, due);
  }
}

void deadline_wheel::link(wheel_client& client, steady::time_point due) {
  if (client.linked_) {
    unlink(client);
  }
  if (size_ == 0 && !armed_) {
    // Nothing is waiting: skip the ticks that passed while idle.
    const auto now = steady::now();
    done_tick_ = std::max(done_tick_, now <= epoch_ ? 0 : tick_of(now) - 1);
  }
  const std::uint64_t tick = std::max(tick_of(due), done_tick_ + 1);
  const auto slot = static_cast<std::uint32_t>(tick % slot_count);
  client.due_ = due;
  client.slot_ = slot;
  client.prev_ = nullptr;
  client.next_ = slots_[slot];
  if (client.next_ != nullptr) {
    client.next_->prev_ = &client;
  }
  slots_[slot] = &client;
  client.linked_ = true;
  ++size_;
  if (!armed_) {
    arm_locked();
  }
}

void deadline_wheel::cancel(wheel_client& client) {
  const std::lock_guard lock(mutex_);
  if (client.linked_) {
    unlink(client);
  }
}

std::optional<deadline_wheel::steady::time_point> deadline_wheel::scheduled(
    const wheel_client& client) const {
  const std::lock_guard lock(mutex_);
  if (!client.linked_) {
    return std::nullopt;
  }
  return client.due_;
}

std::size_t deadline_wheel::size() const {
  const std::lock_guard lock(mutex_);
  return size_;
}

void deadline_wheel::unlink(wheel_client& client) {
  if (client.prev_ != nullptr) {
    client.prev_->next_ = client.next_;
  } else {
    slots_[client.slot_] = client.next_;
  }
  if (client.next_ != nullptr) {
    client.next_->prev_ = client.prev_;
  }
  client.prev_ = nullptr;
  client.next_ = nullptr;
  client.linked_ = false;
  --size_;
}

void deadline_wheel::arm_locked() {
  if (!timer_) {
    return;  // not started, or stopped: nothing will tick
  }
  armed_ = true;
  timer_->expires_at(epoch_ + tick_ * static_cast<steady::duration::rep>(done_tick_ + 1));
  timer_->async_wait([this](boost::system::error_code ec) {
    if (!ec) {
      on_tick();
    }
  });
}

void deadline_wheel::on_tick() {
  std::vector<std::shared_ptr<wheel_client>> due;
  {
    const std::lock_guard lock(mutex_);
    armed_ = false;
    const auto now = steady::now();
    const std::uint64_t through = now <= epoch_ ? 0 : tick_of(now + steady::duration(1)) - 1;
    // More than a lap behind: one sweep of every slot sees everything.
    const std::uint64_t first =
        std::max(done_tick_ + 1, through >= slot_count ? through - slot_count + 1 : 0);
    for (std::uint64_t tick = first; tick <= through; ++tick) {
      wheel_client* client = slots_[tick % slot_count];
      while (client != nullptr) {
        wheel_client* next = client->next_;
        if (client->due_ <= now) {
          unlink(*client);
          if (auto owner = client->wheel_owner()) {
            due.push_back(std::move(owner));
          }
        }
        client = next;
      }
    }
    done_tick_ = std::max(done_tick_, through);
    if (size_ > 0) {
      arm_locked();
    }
  }
  for (const auto& client : due) {
    client->wheel_fired();
  }
}

}  // namespace hearth::net
