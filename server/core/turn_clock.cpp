// The clock of one turn.
#include "core/turn_clock.hpp"

#include <utility>

namespace hearth::core {

turn_clock::turn_clock(member_id holder, v1::TurnTiming timing, time_ms now, bool paused)
    : holder_(holder),
      timing_(std::move(timing)),
      started_at_(now),
      run_since_(now),
      running_(!paused) {}

time_ms turn_clock::held(time_ms now) const {
  return held_before_ + (running_ ? now - run_since_ : 0);
}

time_ms turn_clock::remaining(time_ms now) const { return budget() - held(now); }

std::optional<time_ms> turn_clock::deadline() const {
  if (!timed() || !running_) {
    return std::nullopt;
  }
  return run_since_ + budget() - held_before_;
}

std::optional<time_ms> turn_clock::warning_at() const {
  const auto end = deadline();
  if (!end || warned_ || overdue_ || timing_.warning_before_ms() == 0) {
    return std::nullopt;
  }
  return *end - static_cast<time_ms>(timing_.warning_before_ms());
}

std::optional<time_ms> turn_clock::next_wake() const {
  if (overdue_) {
    return std::nullopt;
  }
  if (auto warning = warning_at()) {
    return warning;
  }
  return deadline();
}

void turn_clock::pause(time_ms now) {
  if (running_) {
    held_before_ = held(now);
    running_ = false;
  }
}

void turn_clock::resume(time_ms now) {
  if (!running_) {
    run_since_ = now;
    running_ = true;
  }
}

void turn_clock::extend(time_ms extra, time_ms now) {
  extra_ += extra;
  const time_ms left = remaining(now);
  if (overdue_ && left > 0) {
    overdue_ = false;
  }
  if (warned_ && left > static_cast<time_ms>(timing_.warning_before_ms())) {
    warned_ = false;
  }
}

turn_clock::alarm turn_clock::wake(time_ms now) {
  if (overdue_ || !running_ || !timed()) {
    return alarm::none;
  }
  if (now >= *deadline()) {
    warned_ = true;
    return alarm::expired;
  }
  const auto warning = warning_at();
  if (warning && now >= *warning) {
    warned_ = true;
    return alarm::warning;
  }
  return alarm::none;
}

v1::Turn turn_clock::to_wire(time_ms now) const {
  v1::Turn wire;
  wire.set_member_id(holder_);
  wire.set_started_at_ms(static_cast<std::uint64_t>(started_at_));
  wire.set_on_expiry(timing_.on_expiry());
  if (timed()) {
    wire.set_budget_ms(static_cast<std::uint32_t>(budget()));
    wire.set_remaining_ms(remaining(now));
    if (auto end = deadline()) {
      wire.set_deadline_ms(static_cast<std::uint64_t>(*end));
    }
    if (auto warning = warning_at()) {
      wire.set_warning_at_ms(static_cast<std::uint64_t>(*warning));
    }
    wire.set_overdue(overdue_);
  }
  return wire;
}

}  // namespace hearth::core
