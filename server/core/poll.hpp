// Check-in polls of one room: who may start, answer and close a poll, what a
// poll may ask, and the room's book of polls (the open one and the last few
// closed ones). Pure: the room asks and records here, then stamps and sends
// the events itself (room_polls.cpp). Answers are therapy content: what is
// here never goes to an audit note or a log.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ring.hpp"
#include "core/roster.hpp"
#include "hearth/v1/errors.pb.h"
#include "hearth/v1/poll.pb.h"

namespace hearth::core {

// The protocol's fixed bounds (poll.proto); the question's length is a room limit.
inline constexpr std::uint32_t max_poll_scale = 10;
inline constexpr int min_poll_choices = 2;
inline constexpr int max_poll_choices = 10;
inline constexpr std::size_t max_poll_choice_bytes = 100;

// Facilitators and co-facilitators (by their current role) start and close polls.
bool may_run_polls(v1::Role role);
// Participants and family members answer: the staff ask, observers only watch.
bool may_answer_polls(v1::Role role);

struct poll_refusal {
  v1::ErrorCode code = v1::ERROR_CODE_BAD_REQUEST;
  std::string message;  // never the question or a choice
};

// What is wrong with a StartPoll on its own (107, or 106 for a limit), or nullopt.
std::optional<poll_refusal> start_refusal(const v1::StartPoll& start,
                                          std::uint32_t max_question_bytes);

struct poll_answer {
  std::uint32_t value = 0;  // the scale value, or the choice's index
  time_ms at = 0;           // when the member last changed it
};

struct poll {
  std::uint32_t id = 0;
  std::string question;
  std::uint32_t min = 0;  // a scale poll: answers min..max
  std::uint32_t max = 0;
  std::vector<std::string> choices;  // a choices poll (empty for a scale)
  v1::PollVisibility visibility = v1::POLL_VISIBILITY_FACILITATORS;
  member_id started_by = 0;
  time_ms started_at = 0;
  member_id closed_by = 0;  // 0 while open
  time_ms closed_at = 0;
  std::map<member_id, poll_answer> answers;  // the latest answer of each member, by member id

  bool open() const { return closed_by == 0; }
  // How many different answers there are (the length of counts()).
  std::uint32_t options() const;
  // How many members gave each answer, zeros included.
  std::vector<std::uint32_t> counts() const;
  // Whether the group sees the counts: closed, with GROUP_AGGREGATE.
  bool aggregate_shown() const;
};

// The stored value of `answer` for `p`, or nullopt when it does not fit
// (the other kind, or out of range: 107).
std::optional<std::uint32_t> answer_value(const poll& p, const v1::AnswerPoll& answer);

v1::PollStarted started_to_wire(const poll& p);
v1::PollAnswer answer_to_wire(const poll& p, member_id m, const poll_answer& answer);
// The room stream's PollClosed (counts only when the group sees them), or
// with `for_staff` the facilitators' copy (counts and every answer).
v1::PollClosed closed_to_wire(const poll& p, bool for_staff);
// The poll as `viewer` may see it; nullptr: what anyone in the room may see.
v1::PollState state_to_wire(const poll& p, const member* viewer);

class poll_book {
 public:
  explicit poll_book(std::uint32_t kept_closed) : kept_closed_(kept_closed) {}

  const poll* open_poll() const;
  // A poll still kept (open, or among the last closed ones).
  const poll* find(std::uint32_t id) const;
  // Kept polls, oldest first.
  const ring<poll>& polls() const { return polls_; }

  // Opens a poll from a valid StartPoll while none is open; numbered from 1.
  const poll& start(const v1::StartPoll& start, member_id by, time_ms now);
  // Records `m`'s answer to the open poll `id`; false when it is their answer
  // already (nothing changed).
  bool answer(std::uint32_t id, member_id m, std::uint32_t value, time_ms now);
  // Closes the open poll `id` and forgets the oldest closed ones beyond the
  // limit (possibly this one): the poll as it closed.
  poll close(std::uint32_t id, member_id by, time_ms now);

  // The book's rules; the first one broken, or "" when all hold.
  std::string check_invariants(const roster& people) const;

 private:
  poll* find_open(std::uint32_t id);

  std::uint32_t kept_closed_;
  ring<poll> polls_;  // by ascending id; only the last may be open
  std::uint32_t next_id_ = 1;
};

}  // namespace hearth::core
