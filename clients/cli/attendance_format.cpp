// The terminal client's line for a facilitator's /attendance: one entry per
// person, in order of first arrival, with minutes present so far.
#include <cmath>

#include "event_format.hpp"

namespace hearth::cli {

std::string event_formatter::format_attendance(const v1::AttendanceSoFar& so_far) const {
  std::string line = "attendance participants=" + std::to_string(so_far.participants()) +
                     " family=" + std::to_string(so_far.family_members());
  for (const auto& p : so_far.people()) {
    const auto minutes =
        static_cast<long long>(std::llround(static_cast<double>(p.present_ms()) / 60'000.0));
    const std::string name = p.member_id() != 0
                                 ? p.display_name() + "#" + std::to_string(p.member_id())
                                 : std::string("(left before a restart)");
    line += "\n  " + name + " " + role_label(p.role()) + (p.present_now() ? " here " : " left ") +
            std::to_string(minutes) + " min stays=" + std::to_string(p.stays());
  }
  return line;
}

}  // namespace hearth::cli
