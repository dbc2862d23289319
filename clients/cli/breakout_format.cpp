// Breakout room lines for the terminal client: the rooms with who is in each,
// broadcasts, and calls for a facilitator.
#include <string>

#include "event_format.hpp"

namespace hearth::cli {
namespace {

std::string change_label(v1::BreakoutChange change) {
  switch (change) {
    case v1::BREAKOUT_CHANGE_OPENED:
      return "opened";
    case v1::BREAKOUT_CHANGE_MOVED:
      return "moved";
    case v1::BREAKOUT_CHANGE_ENDING_SOON:
      return "ending_soon";
    case v1::BREAKOUT_CHANGE_CLOSED:
      return "closed";
    default:
      return "changed";
  }
}

}  // namespace

// "[1 Room A: a#3 fam#5] [2 Room B: b#4] ends=610000"
std::string event_formatter::format_breakouts(const v1::BreakoutState& state) const {
  std::string line;
  for (const auto& room : state.rooms()) {
    line +=
        (line.empty() ? "[" : " [") + std::to_string(room.breakout_id()) + " " + room.name() + ":";
    for (std::uint32_t id : room.member_ids()) {
      line += " " + who(id);
    }
    line += "]";
  }
  if (state.ends_at_ms() != 0) {
    line += " ends=" + std::to_string(state.ends_at_ms());
  }
  return line.empty() ? "none" : line;
}

std::string event_formatter::format_breakout_event(const v1::Event& event) const {
  if (event.has_breakouts_changed()) {
    const auto& changed = event.breakouts_changed();
    const std::string by = changed.by_member_id() == 0 ? std::string(" (timer)")
                                                       : " by " + who(changed.by_member_id());
    return "breakouts " + change_label(changed.change()) + by + " " +
           format_breakouts(changed.state());
  }
  if (event.has_breakout_broadcast()) {
    return "broadcast from " + who(event.breakout_broadcast().from_member_id()) + ": " +
           event.breakout_broadcast().text();
  }
  return "facilitator called by " + who(event.facilitator_called().member_id()) +
         " from breakout=" + std::to_string(event.facilitator_called().breakout_id());
}

}  // namespace hearth::cli
