// Attendance arithmetic.
#include "store/attendance_report.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace hearth::store {
namespace {

using interval = std::pair<time_ms, time_ms>;

// Total length of the union of intervals, each clipped to [from, to).
time_ms union_length(std::vector<interval> spans, time_ms from, time_ms to) {
  for (auto& [start, end] : spans) {
    start = std::max(start, from);
    end = std::min(end, to);
  }
  std::erase_if(spans, [](const interval& s) { return s.second <= s.first; });
  std::sort(spans.begin(), spans.end());
  time_ms total = 0;
  time_ms covered_to = from;
  for (const auto& [start, end] : spans) {
    const time_ms begin = std::max(start, covered_to);
    if (end > begin) {
      total += end - begin;
      covered_to = end;
    }
  }
  return total;
}

interval span_of(const attendance_segment& s, time_ms now) {
  return {s.joined_at, std::max(s.joined_at, s.left_at.value_or(now))};
}

}  // namespace

session_attendance summarize_session(const std::string& session,
                                     const std::vector<attendance_segment>& segments, time_ms now) {
  session_attendance out;
  out.session = session;
  std::map<std::string, std::size_t> index;  // subject -> position in out.people
  std::vector<std::vector<interval>> spans;
  for (const auto& s : segments) {
    auto [it, added] = index.try_emplace(s.subject, out.people.size());
    if (added) {
      person_attendance p;
      p.subject = s.subject;
      p.role = s.role;
      p.first_joined = s.joined_at;
      out.people.push_back(p);
      spans.emplace_back();
    }
    auto& p = out.people[it->second];
    const auto span = span_of(s, now);
    spans[it->second].push_back(span);
    ++p.segments;
    p.first_joined = std::min(p.first_joined, span.first);
    p.last_left = std::max(p.last_left, span.second);
    p.present_now = p.present_now || !s.left_at;
  }
  for (std::size_t i = 0; i < out.people.size(); ++i) {
    auto& p = out.people[i];
    p.present_ms = union_length(spans[i], p.first_joined, p.last_left);
    out.participants += p.role == "participant" ? 1U : 0U;
    out.family_members += p.role == "family_member" ? 1U : 0U;
  }
  std::stable_sort(out.people.begin(), out.people.end(),
                   [](const auto& a, const auto& b) { return a.first_joined < b.first_joined; });
  return out;
}

time_ms present_within(const std::vector<attendance_segment>& segments, time_ms from, time_ms to,
                       time_ms now) {
  std::vector<interval> spans;
  spans.reserve(segments.size());
  for (const auto& s : segments) {
    spans.push_back(span_of(s, now));
  }
  return union_length(std::move(spans), from, to);
}

}  // namespace hearth::store
