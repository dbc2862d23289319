// Attendance arithmetic over stored segments: time present per person (the
// union of their segments, so overlapping connections never count twice), the
// people present per session, and time present within a window such as a week.
// Pure functions.
#pragma once

#include <string>
#include <vector>

#include "store/records.hpp"

namespace hearth::store {

struct person_attendance {
  std::string subject;
  std::string role;
  time_ms present_ms = 0;    // union of their segments
  std::size_t segments = 0;  // separate stretches (reconnects within grace are one)
  time_ms first_joined = 0;
  time_ms last_left = 0;  // `now` for someone still present
  bool present_now = false;
};

struct session_attendance {
  std::string session;
  std::vector<person_attendance> people;  // in order of first arrival
  std::size_t participants = 0;           // distinct participants who attended
  std::size_t family_members = 0;
};

// Open segments count up to `now`.
session_attendance summarize_session(const std::string& session,
                                     const std::vector<attendance_segment>& segments, time_ms now);

// Time covered by the union of `segments` within [from, to); open segments run
// to `now`. Segments crossing midnight or a week boundary are split at the window.
time_ms present_within(const std::vector<attendance_segment>& segments, time_ms from, time_ms to,
                       time_ms now);

}  // namespace hearth::store
