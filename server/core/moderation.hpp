// Moderation rules of one room: who may moderate whom, what a command names
// and asks, the audit vocabulary and the wire form of a member's mutes. Pure:
// the room asks here, then changes, stamps and sends itself
// (room_moderation.cpp).
#pragma once

#include <string>

#include "core/roster.hpp"
#include "hearth/v1/envelope.pb.h"

namespace hearth::core {

// Facilitators and co-facilitators (by their current role).
bool may_moderate(v1::Role role);

// Whom MuteAll mutes (now and as newcomers): participants and family members.
bool in_mute_all(const member& m);

// Why `actor` may not act on `target`, as an audit code, or "" when they may:
// "self" (nobody moderates themselves) or "facilitator_target" (a
// co-facilitator never acts on a facilitator).
std::string refusal(const member& actor, const member& target);

// The audit action of a command: mute, unmute (UnmuteSelf too), mute_all,
// unmute_all, remove, lock, unlock, end_session, delete_chat, role_change,
// ban, unban, break_start, break_end, lead_transfer.
std::string audit_action(const v1::Moderation& command);

// The member a command names; 0 for commands on the whole room.
member_id moderation_target(const v1::Moderation& command);

// What is wrong with a command's arguments on their own (107), or "".
std::string bad_arguments(const v1::Moderation& command);

// "chat", "floor" or "chat,floor" (audit details).
std::string mute_code(bool chat, bool floor);

// MemberModeration: the member's whole moderation state.
v1::Event moderation_event(const member& m);

// The rules of the members' moderation state; the first one broken, or "".
std::string check_moderation(const roster& people, bool ended);

}  // namespace hearth::core
