// Check-in poll rules and the book of polls.
#include "core/poll.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

namespace hearth::core {
namespace {

std::optional<poll_refusal> refuse(v1::ErrorCode code, std::string message) {
  return poll_refusal{code, std::move(message)};
}

std::string poll_name(const poll& p) { return "poll " + std::to_string(p.id); }

// The kind, as every wire form of a poll carries it.
template <typename Wire>
void kind_to_wire(const poll& p, Wire& wire) {
  if (p.choices.empty()) {
    wire.mutable_scale()->set_min(p.min);
    wire.mutable_scale()->set_max(p.max);
    return;
  }
  for (const auto& choice : p.choices) {
    wire.mutable_choices()->add_choices(choice);
  }
}

void counts_to_wire(const poll& p, google::protobuf::RepeatedField<std::uint32_t>& out) {
  for (auto n : p.counts()) {
    out.Add(n);
  }
}

}  // namespace

bool may_run_polls(v1::Role role) { return is_facilitator(role); }

bool may_answer_polls(v1::Role role) {
  return role == v1::ROLE_PARTICIPANT || role == v1::ROLE_FAMILY_MEMBER;
}

std::optional<poll_refusal> start_refusal(const v1::StartPoll& start,
                                          std::uint32_t max_question_bytes) {
  if (start.kind_case() == v1::StartPoll::KIND_NOT_SET) {
    return refuse(v1::ERROR_CODE_BAD_REQUEST, "a poll needs a scale or choices");
  }
  if (!v1::PollVisibility_IsValid(start.visibility())) {
    return refuse(v1::ERROR_CODE_BAD_REQUEST, "unknown poll visibility");
  }
  if (start.question().empty()) {
    return refuse(v1::ERROR_CODE_BAD_REQUEST, "a poll needs a question");
  }
  if (start.question().size() > max_question_bytes) {
    return refuse(v1::ERROR_CODE_LIMIT_EXCEEDED, "poll question is too long");
  }
  if (start.has_scale()) {
    const auto& scale = start.scale();
    if (scale.min() >= scale.max() || scale.max() > max_poll_scale) {
      return refuse(v1::ERROR_CODE_BAD_REQUEST,
                    "a scale runs from min to max, 0 <= min < max <= 10");
    }
    return std::nullopt;
  }
  const auto& choices = start.choices().choices();
  if (choices.size() < min_poll_choices) {
    return refuse(v1::ERROR_CODE_BAD_REQUEST, "a poll needs at least 2 choices");
  }
  if (choices.size() > max_poll_choices) {
    return refuse(v1::ERROR_CODE_LIMIT_EXCEEDED, "a poll has at most 10 choices");
  }
  // Two equal choices would split the answers of people who mean the same.
  std::set<std::string> seen;
  for (const auto& choice : choices) {
    if (choice.empty()) {
      return refuse(v1::ERROR_CODE_BAD_REQUEST, "a poll choice is empty");
    }
    if (choice.size() > max_poll_choice_bytes) {
      return refuse(v1::ERROR_CODE_LIMIT_EXCEEDED, "a poll choice is too long");
    }
    if (!seen.insert(choice).second) {
      return refuse(v1::ERROR_CODE_BAD_REQUEST, "two poll choices are the same");
    }
  }
  return std::nullopt;
}

std::uint32_t poll::options() const {
  return choices.empty() ? max - min + 1 : static_cast<std::uint32_t>(choices.size());
}

std::vector<std::uint32_t> poll::counts() const {
  std::vector<std::uint32_t> out(options(), 0);
  const std::uint32_t base = choices.empty() ? min : 0;
  for (const auto& [m, answer] : answers) {
    ++out.at(answer.value - base);
  }
  return out;
}

bool poll::aggregate_shown() const {
  return !open() && visibility == v1::POLL_VISIBILITY_GROUP_AGGREGATE;
}

std::optional<std::uint32_t> answer_value(const poll& p, const v1::AnswerPoll& answer) {
  if (p.choices.empty()) {
    if (!answer.has_value() || answer.value() < p.min || answer.value() > p.max) {
      return std::nullopt;
    }
    return answer.value();
  }
  if (!answer.has_choice() || answer.choice() >= p.choices.size()) {
    return std::nullopt;
  }
  return answer.choice();
}

v1::PollStarted started_to_wire(const poll& p) {
  v1::PollStarted wire;
  wire.set_poll_id(p.id);
  wire.set_question(p.question);
  kind_to_wire(p, wire);
  wire.set_visibility(p.visibility);
  wire.set_started_by_member_id(p.started_by);
  wire.set_started_at_ms(static_cast<std::uint64_t>(p.started_at));
  return wire;
}

v1::PollAnswer answer_to_wire(const poll& p, member_id m, const poll_answer& answer) {
  v1::PollAnswer wire;
  wire.set_poll_id(p.id);
  wire.set_member_id(m);
  if (p.choices.empty()) {
    wire.set_value(answer.value);
  } else {
    wire.set_choice(answer.value);
  }
  wire.set_answered_at_ms(static_cast<std::uint64_t>(answer.at));
  return wire;
}

v1::PollClosed closed_to_wire(const poll& p, bool for_staff) {
  v1::PollClosed wire;
  wire.set_poll_id(p.id);
  wire.set_answered(static_cast<std::uint32_t>(p.answers.size()));
  if (for_staff || p.aggregate_shown()) {
    counts_to_wire(p, *wire.mutable_counts());
  }
  wire.set_closed_by_member_id(p.closed_by);
  wire.set_closed_at_ms(static_cast<std::uint64_t>(p.closed_at));
  if (for_staff) {
    for (const auto& [m, answer] : p.answers) {
      *wire.add_answers() = answer_to_wire(p, m, answer);
    }
  }
  return wire;
}

v1::PollState state_to_wire(const poll& p, const member* viewer) {
  v1::PollState wire;
  wire.set_poll_id(p.id);
  wire.set_question(p.question);
  kind_to_wire(p, wire);
  wire.set_visibility(p.visibility);
  wire.set_started_by_member_id(p.started_by);
  wire.set_started_at_ms(static_cast<std::uint64_t>(p.started_at));
  wire.set_open(p.open());
  wire.set_closed_by_member_id(p.closed_by);
  wire.set_closed_at_ms(static_cast<std::uint64_t>(p.closed_at));
  // What the viewer's events told them, and no more.
  const bool staff = viewer != nullptr && is_facilitator(viewer->who.role);
  if (staff || !p.open()) {
    wire.set_answered(static_cast<std::uint32_t>(p.answers.size()));
  }
  if (staff || p.aggregate_shown()) {
    counts_to_wire(p, *wire.mutable_counts());
  }
  for (const auto& [m, answer] : p.answers) {
    if (staff || (viewer != nullptr && viewer->id == m)) {
      *wire.add_answers() = answer_to_wire(p, m, answer);
    }
  }
  return wire;
}

const poll* poll_book::open_poll() const {
  return !polls_.empty() && polls_.back().open() ? &polls_.back() : nullptr;
}

const poll* poll_book::find(std::uint32_t id) const {
  auto it = std::find_if(polls_.begin(), polls_.end(), [&](const poll& p) { return p.id == id; });
  return it == polls_.end() ? nullptr : &*it;
}

poll* poll_book::find_open(std::uint32_t id) {
  return !polls_.empty() && polls_.back().open() && polls_.back().id == id ? &polls_.back()
                                                                           : nullptr;
}

const poll& poll_book::start(const v1::StartPoll& start, member_id by, time_ms now) {
  poll& p = polls_.emplace_back();
  p.id = next_id_++;
  p.question = start.question();
  if (start.has_scale()) {
    p.min = start.scale().min();
    p.max = start.scale().max();
  } else {
    p.choices.assign(start.choices().choices().begin(), start.choices().choices().end());
  }
  p.visibility = start.visibility() == v1::POLL_VISIBILITY_UNSPECIFIED
                     ? v1::POLL_VISIBILITY_FACILITATORS
                     : start.visibility();
  p.started_by = by;
  p.started_at = now;
  return p;
}

bool poll_book::answer(std::uint32_t id, member_id m, std::uint32_t value, time_ms now) {
  poll& p = *find_open(id);
  auto [it, added] = p.answers.try_emplace(m, poll_answer{value, now});
  if (!added) {
    if (it->second.value == value) {
      return false;  // a retry, or the same answer again: keep its time
    }
    it->second = {value, now};
  }
  return true;
}

poll poll_book::close(std::uint32_t id, member_id by, time_ms now) {
  poll& p = *find_open(id);
  p.closed_by = by;
  p.closed_at = now;
  poll closed = p;
  while (polls_.size() > kept_closed_) {
    polls_.pop_front();  // none is open now: every kept poll is a closed one
  }
  return closed;
}

std::string poll_book::check_invariants(const roster& people) const {
  std::uint32_t previous = 0;
  std::uint32_t closed = 0;
  for (const poll& p : polls_) {
    const std::string name = poll_name(p);
    if (p.id <= previous || p.id >= next_id_) {
      return name + " is misnumbered";
    }
    previous = p.id;
    if (p.open() && &p != &polls_.back()) {
      return name + " is open but not the newest poll";
    }
    if (!p.open()) {
      ++closed;
      if (p.closed_at < p.started_at) {
        return name + " closed before it started";
      }
    }
    const bool scale_ok = p.choices.empty() && p.min < p.max && p.max <= max_poll_scale;
    const auto n = static_cast<int>(p.choices.size());
    if (!scale_ok && (n < min_poll_choices || n > max_poll_choices)) {
      return name + " has neither a valid scale nor valid choices";
    }
    if (p.visibility != v1::POLL_VISIBILITY_FACILITATORS &&
        p.visibility != v1::POLL_VISIBILITY_GROUP_AGGREGATE) {
      return name + " has no visibility";
    }
    for (const auto& [m, answer] : p.answers) {
      if (people.find(m) == nullptr) {
        return name + " has an answer from no member";
      }
      const std::uint32_t base = p.choices.empty() ? p.min : 0;
      if (answer.value < base || answer.value - base >= p.options()) {
        return name + " has an answer that does not fit it";
      }
      if (answer.at < p.started_at || (!p.open() && answer.at > p.closed_at)) {
        return name + " has an answer from outside the time it was open";
      }
    }
  }
  if (closed > kept_closed_) {
    return "more closed polls are kept than the limit";
  }
  return {};
}

}  // namespace hearth::core
