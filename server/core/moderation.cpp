// Moderation rules: authority, arguments, audit vocabulary, invariants.
#include "core/moderation.hpp"

namespace hearth::core {

bool may_moderate(v1::Role role) { return is_facilitator(role); }

std::string refusal(const member& actor, const member& target) {
  if (actor.id == target.id) {
    return "self";
  }
  if (actor.who.role == v1::ROLE_CO_FACILITATOR && target.who.role == v1::ROLE_FACILITATOR) {
    return "facilitator_target";
  }
  return {};
}

bool in_mute_all(const member& m) {
  return m.who.role == v1::ROLE_PARTICIPANT || m.who.role == v1::ROLE_FAMILY_MEMBER;
}

std::string audit_action(const v1::Moderation& command) {
  switch (command.action_case()) {
    case v1::Moderation::kMute:
      return "mute";
    case v1::Moderation::kUnmute:
    case v1::Moderation::kUnmuteSelf:
      return "unmute";
    case v1::Moderation::kMuteAll:
      return "mute_all";
    case v1::Moderation::kUnmuteAll:
      return "unmute_all";
    case v1::Moderation::kRemove:
      return "remove";
    case v1::Moderation::kLock:
      return "lock";
    case v1::Moderation::kUnlock:
      return "unlock";
    case v1::Moderation::kEndSession:
      return "end_session";
    case v1::Moderation::kDeleteChat:
      return "delete_chat";
    case v1::Moderation::kSetRole:
      return "role_change";
    case v1::Moderation::kBan:
      return "ban";
    case v1::Moderation::kUnban:
      return "unban";
    case v1::Moderation::kStartBreak:
      return "break_start";
    case v1::Moderation::kEndBreak:
      return "break_end";
    case v1::Moderation::kTransferLead:
      return "lead_transfer";
    case v1::Moderation::ACTION_NOT_SET:
      break;
  }
  return {};
}

member_id moderation_target(const v1::Moderation& command) {
  switch (command.action_case()) {
    case v1::Moderation::kMute:
      return command.mute().member_id();
    case v1::Moderation::kUnmute:
      return command.unmute().member_id();
    case v1::Moderation::kRemove:
      return command.remove().member_id();
    case v1::Moderation::kSetRole:
      return command.set_role().member_id();
    case v1::Moderation::kBan:
      return command.ban().member_id();
    case v1::Moderation::kTransferLead:
      return command.transfer_lead().member_id();
    default:
      return 0;
  }
}

std::string bad_arguments(const v1::Moderation& command) {
  switch (command.action_case()) {
    case v1::Moderation::kMute:
      return command.mute().chat() || command.mute().floor() ? "" : "mute chat, floor or both";
    case v1::Moderation::kUnmute:
      return command.unmute().chat() || command.unmute().floor() ? ""
                                                                 : "unmute chat, floor or both";
    case v1::Moderation::kMuteAll:
      return command.mute_all().chat() || command.mute_all().floor() ? ""
                                                                     : "mute chat, floor or both";
    case v1::Moderation::kSetRole:
      return v1::Role_IsValid(command.set_role().role()) ? "" : "unknown role";
    case v1::Moderation::kUnban:
      return command.unban().ban_id() != 0 ? "" : "name a ban";
    case v1::Moderation::ACTION_NOT_SET:
      return "moderation command without an action";
    default:
      return {};
  }
}

std::string mute_code(bool chat, bool floor) {
  if (chat && floor) {
    return "chat,floor";
  }
  return chat ? "chat" : floor ? "floor" : "none";
}

v1::Event moderation_event(const member& m) {
  v1::Event e;
  auto* state = e.mutable_member_moderation();
  state->set_member_id(m.id);
  state->set_chat_muted(m.chat_muted);
  state->set_floor_muted(m.floor_muted);
  state->set_may_unmute_self(m.may_unmute_self);
  return e;
}

std::string check_moderation(const roster& people, bool ended) {
  if (!people.counts_hold()) {
    return "the roster's member counts disagree with its members";
  }
  if (ended && people.active_count() != 0) {
    return "an ended session still has members";
  }
  for (const member* m : people.active_members()) {
    if (m->may_unmute_self && !m->chat_muted && !m->floor_muted) {
      return "a member may lift a mute they do not have";
    }
    // The lead handed to a co-facilitator makes a staff token a facilitator.
    const bool lead = m->who.role == v1::ROLE_FACILITATOR && is_facilitator(m->token_role);
    if (m->who.role != m->token_role && m->who.role != v1::ROLE_CO_FACILITATOR && !lead) {
      return "a member's role is neither their token's, co-facilitator nor a handed lead";
    }
  }
  return {};
}

}  // namespace hearth::core
