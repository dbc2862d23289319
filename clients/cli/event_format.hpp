// Turns server messages into one readable line each, naming members by the
// display names learned from the roster.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hearth/v1/envelope.pb.h"

namespace hearth::cli {

class event_formatter {
 public:
  // One line per message (without a trailing newline); empty to print nothing.
  std::string format(const v1::ServerMessage& message);

  // Whether poll `id`, as this client has seen it, offers choices (else a
  // scale); nullopt for a poll it has not seen.
  std::optional<bool> poll_has_choices(std::uint32_t id) const;

 private:
  std::string who(std::uint32_t member_id) const;
  std::string format_event(const v1::Event& event);
  std::string format_reply(const v1::Reply& reply);
  std::string format_join(const v1::JoinResult& join);
  std::string format_floor(const v1::FloorState& state) const;
  std::string format_airtime(const v1::AirtimeReport& report) const;
  std::string format_distress(const v1::DistressSignal& signal) const;
  void learn(const v1::Member& member);
  // Worksheets (worksheet_format.cpp): ids, versions and who, never content.
  std::string format_worksheet_result(const v1::WorksheetResult& result) const;
  std::string format_worksheet_event(const v1::Event& event) const;
  // Facilitators' /attendance (attendance_format.cpp).
  std::string format_attendance(const v1::AttendanceSoFar& so_far) const;
  // Breakout rooms (breakout_format.cpp).
  std::string format_breakouts(const v1::BreakoutState& state) const;
  std::string format_breakout_event(const v1::Event& event) const;

  // Polls (poll_format.cpp).
  struct known_poll {
    std::uint32_t min = 0;             // a scale
    std::vector<std::string> choices;  // a choices poll
  };
  template <typename Poll>
  std::string learn_poll(const Poll& poll);
  std::string format_poll_started(const v1::PollStarted& poll);
  std::string format_poll_answer(const v1::PollAnswer& answer) const;
  std::string format_poll_closed(const v1::PollClosed& closed, bool results) const;
  std::string format_poll_state(const v1::PollState& poll);
  std::string answer_label(const v1::PollAnswer& answer) const;
  std::string counts_label(std::uint32_t poll_id,
                           const google::protobuf::RepeatedField<std::uint32_t>& counts) const;
  std::string answers_label(
      const google::protobuf::RepeatedPtrField<v1::PollAnswer>& answers) const;

  std::map<std::uint32_t, std::string> names_;
  std::map<std::uint32_t, known_poll> polls_;
  std::uint32_t self_ = 0;  // this client's member id, once joined
  v1::Role self_role_ = v1::ROLE_UNSPECIFIED;
};

std::string role_label(v1::Role role);
std::string presence_label(v1::Presence presence);
// " muted=chat,floor [may_unmute_self]", or "" when not muted.
std::string muted_label(bool chat, bool floor, bool may_unmute_self);
std::string mode_label(v1::FloorMode mode);
std::string outcome_label(v1::TurnOutcome outcome);
std::string floor_change_label(v1::FloorChangeKind kind);

}  // namespace hearth::cli
