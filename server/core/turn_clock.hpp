// The clock of one turn on the floor: who holds it, the time budget, pauses,
// extensions, the warning and the expiry. Pure arithmetic on times passed in.
#pragma once

#include <optional>

#include "core/types.hpp"
#include "hearth/v1/floor.pb.h"

namespace hearth::core {

class turn_clock {
 public:
  // Starts running unless `paused`.
  turn_clock(member_id holder, v1::TurnTiming timing, time_ms now, bool paused);

  member_id holder() const { return holder_; }
  const v1::TurnTiming& timing() const { return timing_; }
  bool timed() const { return timing_.budget_ms() > 0; }
  bool running() const { return running_; }
  bool overdue() const { return overdue_; }

  // Time held so far, pauses excluded.
  time_ms held(time_ms now) const;
  // Budget left (negative once overdue); meaningless for an untimed turn.
  time_ms remaining(time_ms now) const;
  std::optional<time_ms> deadline() const;
  std::optional<time_ms> warning_at() const;
  // The next instant wake() has something to do.
  std::optional<time_ms> next_wake() const;

  void pause(time_ms now);
  void resume(time_ms now);
  void extend(time_ms extra, time_ms now);

  enum class alarm : std::uint8_t { none, warning, expired };
  // Fires at most one alarm: an expiry supersedes a warning that is also due.
  alarm wake(time_ms now);
  // EXPIRY_ACTION_NOTIFY: the turn goes on past its budget.
  void mark_overdue() { overdue_ = true; }

  v1::Turn to_wire(time_ms now) const;

 private:
  time_ms budget() const { return static_cast<time_ms>(timing_.budget_ms()) + extra_; }

  member_id holder_;
  v1::TurnTiming timing_;
  time_ms started_at_;
  time_ms run_since_;        // when the clock last started; meaningful while running
  time_ms held_before_ = 0;  // held before run_since_
  time_ms extra_ = 0;        // extensions granted
  bool running_;
  bool warned_ = false;
  bool overdue_ = false;
};

}  // namespace hearth::core
