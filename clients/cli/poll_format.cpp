// Check-in poll lines for the terminal client. The client remembers each
// poll's kind, so that answers and counts read as the poll's own values or
// choices, and so that "/answer" knows which one to send.
#include <string>

#include "event_format.hpp"

namespace hearth::cli {
namespace {

std::string visibility_label(v1::PollVisibility visibility) {
  return visibility == v1::POLL_VISIBILITY_GROUP_AGGREGATE ? "group_aggregate" : "facilitators";
}

}  // namespace

std::optional<bool> event_formatter::poll_has_choices(std::uint32_t id) const {
  auto it = polls_.find(id);
  return it == polls_.end() ? std::nullopt : std::optional<bool>(!it->second.choices.empty());
}

// Remembers the poll's kind; returns it as "scale=0..10" or "choices=0:a|1:b".
template <typename Poll>
std::string event_formatter::learn_poll(const Poll& poll) {
  known_poll& known = polls_[poll.poll_id()];
  if (poll.has_scale()) {
    known = {poll.scale().min(), {}};
    return "scale=" + std::to_string(poll.scale().min()) + ".." +
           std::to_string(poll.scale().max());
  }
  known = {0, {poll.choices().choices().begin(), poll.choices().choices().end()}};
  std::string label = "choices=";
  for (int i = 0; i < poll.choices().choices_size(); ++i) {
    label += (i == 0 ? "" : "|") + std::to_string(i) + ":" + poll.choices().choices(i);
  }
  return label;
}

std::string event_formatter::answer_label(const v1::PollAnswer& answer) const {
  if (answer.has_value()) {
    return std::to_string(answer.value());
  }
  std::string label = std::to_string(answer.choice());
  auto it = polls_.find(answer.poll_id());
  if (it != polls_.end() && answer.choice() < it->second.choices.size()) {
    label += ":" + it->second.choices[answer.choice()];
  }
  return label;
}

std::string event_formatter::counts_label(
    std::uint32_t poll_id, const google::protobuf::RepeatedField<std::uint32_t>& counts) const {
  auto it = polls_.find(poll_id);
  std::string label = " counts=";
  for (int i = 0; i < counts.size(); ++i) {
    const auto index = static_cast<std::uint32_t>(i);
    std::string key = std::to_string(index);
    if (it != polls_.end()) {
      key = it->second.choices.empty()          ? std::to_string(it->second.min + index)
            : index < it->second.choices.size() ? it->second.choices[index]
                                                : key;
    }
    label += (i == 0 ? "" : ",") + key + "=" + std::to_string(counts.Get(i));
  }
  return label;
}

std::string event_formatter::answers_label(
    const google::protobuf::RepeatedPtrField<v1::PollAnswer>& answers) const {
  std::string label = " answers=";
  for (int i = 0; i < answers.size(); ++i) {
    label +=
        (i == 0 ? "" : ",") + who(answers.Get(i).member_id()) + ":" + answer_label(answers.Get(i));
  }
  return label;
}

std::string event_formatter::format_poll_started(const v1::PollStarted& poll) {
  const std::string id = std::to_string(poll.poll_id());
  const bool staff = self_role_ == v1::ROLE_FACILITATOR || self_role_ == v1::ROLE_CO_FACILITATOR;
  const bool answers = self_role_ == v1::ROLE_PARTICIPANT || self_role_ == v1::ROLE_FAMILY_MEMBER;
  return "poll " + id + " started by " + who(poll.started_by_member_id()) + ": " + poll.question() +
         " " + learn_poll(poll) + " visibility=" + visibility_label(poll.visibility()) +
         (staff     ? " (/closepoll " + id + ")"
          : answers ? " (/answer " + id + (poll.has_scale() ? " VALUE)" : " CHOICE)")
                    : "");
}

std::string event_formatter::format_poll_answer(const v1::PollAnswer& answer) const {
  const std::string id = std::to_string(answer.poll_id());
  if (answer.member_id() == self_) {
    return "poll " + id + " your answer " + answer_label(answer) +
           " (only the facilitators see it)";
  }
  return "poll " + id + " answer " + who(answer.member_id()) + " " + answer_label(answer);
}

std::string event_formatter::format_poll_closed(const v1::PollClosed& closed, bool results) const {
  std::string line = "poll " + std::to_string(closed.poll_id()) +
                     (results ? " results" : " closed by " + who(closed.closed_by_member_id())) +
                     " answered=" + std::to_string(closed.answered());
  if (closed.counts_size() != 0) {
    line += counts_label(closed.poll_id(), closed.counts());
  }
  if (closed.answers_size() != 0) {
    line += answers_label(closed.answers());
  }
  return line;
}

std::string event_formatter::format_poll_state(const v1::PollState& poll) {
  std::string line = "poll " + std::to_string(poll.poll_id()) +
                     (poll.open() ? " open: " : " closed: ") + poll.question() + " " +
                     learn_poll(poll) + " visibility=" + visibility_label(poll.visibility());
  if (!poll.open() || poll.answered() != 0) {
    line += " answered=" + std::to_string(poll.answered());
  }
  if (poll.counts_size() != 0) {
    line += counts_label(poll.poll_id(), poll.counts());
  }
  if (poll.answers_size() != 0) {
    line += answers_label(poll.answers());
  }
  return line;
}

}  // namespace hearth::cli
