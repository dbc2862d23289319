// Turns server messages into one readable line each, naming members by the
// display names learned from the roster.
#pragma once

#include <map>
#include <string>

#include "hearth/v1/envelope.pb.h"

namespace hearth::cli {

class event_formatter {
 public:
  // One line per message (without a trailing newline); empty to print nothing.
  std::string format(const v1::ServerMessage& message);

 private:
  std::string who(std::uint32_t member_id) const;
  std::string format_event(const v1::Event& event);
  std::string format_reply(const v1::Reply& reply);
  std::string format_join(const v1::JoinResult& join);
  std::string format_floor(const v1::FloorState& state) const;
  std::string format_airtime(const v1::AirtimeReport& report) const;
  std::string format_distress(const v1::DistressSignal& signal) const;
  void learn(const v1::Member& member);

  std::map<std::uint32_t, std::string> names_;
  std::uint32_t self_ = 0;  // this client's member id, once joined
};

std::string role_label(v1::Role role);
std::string presence_label(v1::Presence presence);
// " muted=chat,floor [may_unmute_self]", or "" when not muted.
std::string muted_label(bool chat, bool floor, bool may_unmute_self);
std::string mode_label(v1::FloorMode mode);
std::string outcome_label(v1::TurnOutcome outcome);
std::string floor_change_label(v1::FloorChangeKind kind);

}  // namespace hearth::cli
