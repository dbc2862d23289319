// The room core: membership and presence with a reconnect grace period, the
// command dispatch and the room's invariants (snapshots and the stamping of
// events are in room_views.cpp). Chat is in
// room_chat.cpp, safety in room_safety.cpp, moderation in room_moderation.cpp,
// the lobby in room_lobby.cpp, bans in room_bans.cpp, polls in room_polls.cpp,
// worksheets in room_worksheets.cpp and room_worksheet_views.cpp.
#include "core/room.hpp"

#include "core/moderation.hpp"

#include <algorithm>
#include <utility>

namespace hearth::core {
namespace {

v1::Reply join_reply(const member& m, std::uint32_t head, const std::string& room_id) {
  v1::Reply reply;
  auto* join = reply.mutable_join();
  join->set_room_id(room_id);
  join->set_member_id(m.id);
  join->set_head_seq(head);
  join->set_direct_head_seq(m.direct_seq);
  join->set_breakout_id(m.place);
  return reply;
}

v1::Event presence_event(member_id id, v1::Presence presence) {
  v1::Event e;
  auto* p = e.mutable_member_presence();
  p->set_member_id(id);
  p->set_presence(presence);
  return e;
}

v1::Event left_event(member_id id, v1::LeaveReason reason) {
  v1::Event e;
  auto* left = e.mutable_member_left();
  left->set_member_id(id);
  left->set_reason(reason);
  return e;
}

effects replying(v1::Reply reply) {
  effects out;
  out.reply = std::move(reply);
  return out;
}

}  // namespace

room::room(std::string id, room_limits limits)
    : id_(std::move(id)), limits_(limits), polls_(limits_.kept_polls) {
  // What a snapshot shows must stay deletable.
  limits_.deletable_chats = std::max(limits_.deletable_chats, limits_.recent_chat);
  places_.try_emplace(0, 0, std::string(), limits_);
}

effects room::join(connection_id conn, const identity& who, time_ms now) {
  effects out;
  if (who.room != id_) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "token is not valid for this room");
    return out;
  }
  if (who.role == v1::ROLE_UNSPECIFIED || who.subject.empty()) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "token grants no role");
    return out;
  }
  if (roster_.find_by_connection(conn) != nullptr || lobby_.find_by_connection(conn) != nullptr) {
    out.reply = error_reply(v1::ERROR_CODE_ALREADY_JOINED, "connection already joined");
    return out;
  }

  if (ended_) {
    out.reply = error_reply(v1::ERROR_CODE_SESSION_ENDED, "a facilitator ended this session");
    return out;
  }
  // Whatever the token: a ban names the identity.
  if (bans_.banned(who.subject)) {
    out.reply = error_reply(v1::ERROR_CODE_BANNED, "you cannot join this session");
    out.audit.push_back({who.subject, who.role, "join", who.subject, "denied", "banned", now});
    return out;
  }

  member* m = roster_.find_by_subject(who.subject);
  const bool active = m != nullptr && m->presence != v1::PRESENCE_LEFT;
  if (active) {
    // Same identity again: the newer connection wins, without presence flapping.
    if (m->connection) {
      out.closes.push_back({*m->connection, v1::CLOSE_CODE_REPLACED,
                            "replaced by a newer connection of the same identity"});
    }
    roster_.bind(*m, conn);
    if (m->presence == v1::PRESENCE_RECONNECTING) {
      roster_.set_presence(*m, v1::PRESENCE_PRESENT);
      emit_room(out, presence_event(m->id, v1::PRESENCE_PRESENT), now);
      presence_changed(out, *m, v1::PRESENCE_RECONNECTING, now);
    }
    out.reply = join_reply(*m, place_of(*m).seq, id_);
    return out;
  }
  if (waiting_person* waiting = lobby_.find_by_subject(who.subject)) {
    return rejoin_lobby(conn, *waiting, now);
  }
  // A locked room still lets back in whoever is in it, and every facilitator.
  if (locked_ && !is_facilitator(who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_ROOM_LOCKED, "a facilitator locked the room");
    return out;
  }
  if (const auto reason = wait_reason(who, m); reason != v1::WAIT_REASON_UNSPECIFIED) {
    return wait_in_lobby(conn, who, reason, m == nullptr ? 0 : m->id, now);
  }
  if (roster_.active_count() >= limits_.max_members) {
    out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "room is full");
    return out;
  }
  member& entered = enter(out, conn, who, m, now);
  if (is_facilitator(who.role)) {
    admit_held_for_facilitator(out, now);
  }
  out.reply = join_reply(entered, place_of(entered).seq, id_);  // after everything this join caused
  return out;
}

member& room::enter(effects& out, connection_id conn, const identity& who, member* before,
                    time_ms now) {
  const v1::Presence was = before == nullptr ? v1::PRESENCE_UNSPECIFIED : v1::PRESENCE_LEFT;
  out.fresh_start = before != nullptr;
  member* m = before;
  if (m == nullptr) {
    m = &roster_.add(who, now);
  } else {
    m->who = who;  // a role changed by SetRole applied to the presence that ended
    m->token_role = who.role;
    roster_.set_presence(*m, v1::PRESENCE_PRESENT);
    m->joined_at = now;
  }
  m->place = 0;  // everyone enters through the main room
  m->held = v1::WAIT_REASON_UNSPECIFIED;
  if (in_mute_all(*m) && (newcomer_mutes_.chat() || newcomer_mutes_.floor())) {
    // As MuteAll would have done, had they been here.
    const bool had_mute = m->chat_muted || m->floor_muted;
    m->may_unmute_self = newcomer_mutes_.allow_self_unmute() && (!had_mute || m->may_unmute_self);
    m->chat_muted = m->chat_muted || newcomer_mutes_.chat();
    m->floor_muted = m->floor_muted || newcomer_mutes_.floor();
  }
  roster_.bind(*m, conn);
  v1::Event e;
  *e.mutable_member_joined()->mutable_member() = to_wire(*m);
  emit_room(out, std::move(e), now);
  out.attendance.push_back({attendance_change::kind::opened, m->who.subject, m->who.role, now});
  presence_changed(out, *m, was, now);
  brief_arriving_facilitator(out, *m, now);
  return *m;
}

effects room::disconnect(connection_id conn, time_ms now) {
  effects out;
  member* m = roster_.find_by_connection(conn);
  if (m == nullptr) {
    if (waiting_person* waiting = lobby_.find_by_connection(conn)) {
      return lobby_disconnect(*waiting, now);
    }
    return out;
  }
  roster_.unbind(*m);
  roster_.set_presence(*m, v1::PRESENCE_RECONNECTING);
  m->dropped_at = now;
  m->grace_deadline = now + limits_.reconnect_grace;
  emit_room(out, presence_event(m->id, v1::PRESENCE_RECONNECTING), now);
  presence_changed(out, *m, v1::PRESENCE_PRESENT, now);
  clear_worksheet_presence(out, *m, now);
  return out;
}

effects room::handle(connection_id conn, const v1::ClientMessage& message, time_ms now) {
  member* m = roster_.find_by_connection(conn);
  if (m == nullptr) {
    if (waiting_person* waiting = lobby_.find_by_connection(conn)) {
      return message.has_leave_room() ? lobby_leave(*waiting, now)
                                      : refuse_waiting(*waiting, message, now);
    }
    return replying(error_reply(v1::ERROR_CODE_NOT_JOINED, "join the room first"));
  }
  return member_command(*m, conn, message, now);
}

// Apart from handle() so that `out` is the only thing it returns: the result
// is then built in place instead of moved (a move of `effects` costs a few
// hundred instructions, on every command).
effects room::member_command(member& from, connection_id conn, const v1::ClientMessage& message,
                             time_ms now) {
  auto out = dispatch(from, conn, message, now);
  // Every command the member's role or state does not allow is on record,
  // whatever it was (never with what it carried).
  if (out.reply && out.reply->has_error() &&
      out.reply->error().code() == v1::ERROR_CODE_PERMISSION_DENIED &&
      std::none_of(out.audit.begin(), out.audit.end(),
                   [](const audit_note& note) { return note.outcome == "denied"; })) {
    out.audit.push_back({from.who.subject, from.who.role, command_action(message), "", "denied",
                         "not_allowed", now});
  }
  return out;
}

effects room::dispatch(member& from, connection_id conn, const v1::ClientMessage& message,
                       time_ms now) {
  switch (message.command_case()) {
    case v1::ClientMessage::kSendChat:
      return send_chat(from, message.send_chat(), now);
    case v1::ClientMessage::kTyping:
      return typing(from, message.typing().active(), now);
    case v1::ClientMessage::kLeaveRoom:
      return leave(from, now);
    case v1::ClientMessage::kFloor:
      return floor_command(from, message, now);
    case v1::ClientMessage::kSignalDistress:
      return signal_distress(from, now);
    case v1::ClientMessage::kAcknowledgeDistress:
      return acknowledge_distress(from, message.acknowledge_distress().signal_id(), now);
    case v1::ClientMessage::kModeration:
      return moderate(from, message.moderation(), now);
    case v1::ClientMessage::kLobby:
      return lobby_command(from, message.lobby(), now);
    case v1::ClientMessage::kPoll:
      return poll_command(from, message.poll(), now);
    case v1::ClientMessage::kBreakout:
      return breakout_command(from, message.breakout(), now);
    case v1::ClientMessage::kWorksheet:
      return worksheet_command(from, conn, message, now);
    case v1::ClientMessage::kAttendance:
      return attendance_query(from, now);
    case v1::ClientMessage::kHello:
    case v1::ClientMessage::kJoinRoom:
    case v1::ClientMessage::kPong:
    case v1::ClientMessage::COMMAND_NOT_SET:
      break;
  }
  effects out;
  out.reply = error_reply(v1::ERROR_CODE_UNKNOWN_COMMAND, "not a room command");
  return out;
}

effects room::attendance_query(const member& from, time_ms now) {
  effects out;
  if (!is_facilitator(from.who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED,
                            "only facilitators see the session's attendance");
    return out;  // the refusal is audited by handle()
  }
  out.attendance_asked = true;
  out.audit.push_back(
      {from.who.subject, from.who.role, "record_viewed", {}, "ok", "attendance", now});
  return out;
}

effects room::leave(member& m, time_ms now) {
  effects out;
  depart(out, m, v1::LEAVE_REASON_LEFT, now);
  out.reply.emplace();
  out.reply->mutable_leave();
  return out;
}

effects room::wake(time_ms now) {
  effects out;
  for (member* m : roster_.expired_graces(now)) {
    depart(out, *m, v1::LEAVE_REASON_GRACE_EXPIRED, now);
  }
  expire_lobby(out, now);
  expire_consents(out, now);
  expire_worksheet_presence(out, now);
  if (break_ && break_->ends_at_ms() != 0 && static_cast<time_ms>(break_->ends_at_ms()) <= now) {
    end_break(out, 0, now);
  }
  wake_breakouts(out, now);
  for (auto& [id, where] : places_) {
    floor_output floor;
    where.floor.wake(roster_, now, floor);
    emit_floor(out, where, floor, now);
  }
  return out;
}

void room::depart(effects& out, member& m, v1::LeaveReason reason, time_ms now) {
  const v1::Presence before = m.presence;
  clear_worksheet_presence(out, m, now);
  roster_.unbind(m);
  roster_.set_presence(m, v1::PRESENCE_LEFT);
  emit_room(out, left_event(m.id, reason), now);
  const time_ms ended = before == v1::PRESENCE_RECONNECTING ? m.dropped_at : now;
  out.attendance.push_back({attendance_change::kind::closed, m.who.subject, m.who.role, ended});
  presence_changed(out, m, before, now);
}

std::optional<time_ms> room::next_wake() const {
  std::optional<time_ms> earliest;
  std::optional<time_ms> break_end;
  if (break_ && break_->ends_at_ms() != 0) {
    break_end = static_cast<time_ms>(break_->ends_at_ms());
  }
  for (auto deadline :
       {roster_.earliest_grace_deadline(), lobby_.earliest_grace_deadline(), break_end,
        next_consent_expiry(), next_breakout_wake(), next_presence_expiry()}) {
    if (deadline && (!earliest || *deadline < *earliest)) {
      earliest = deadline;
    }
  }
  for (const auto& [id, where] : places_) {
    const auto deadline = where.floor.next_wake();
    if (deadline && (!earliest || *deadline < *earliest)) {
      earliest = deadline;
    }
  }
  return earliest;
}

effects room::floor_command(member& from, const v1::ClientMessage& message, time_ms now) {
  effects out;
  floor_output floor;
  place& where = place_of(from);
  auto reply = where.floor.handle(from, message.floor(), roster_, now, floor);
  emit_floor(out, where, floor, now);
  if (reply.has_floor()) {
    reply.mutable_floor()->set_seq(where.seq);
  }
  out.reply = std::move(reply);
  return out;
}

void room::presence_changed(effects& out, const member& m, v1::Presence before, time_ms now) {
  floor_output floor;
  place& where = place_of(m);
  where.floor.presence_changed(m, before, roster_, now, floor);
  emit_floor(out, where, floor, now);
}

void room::emit_floor(effects& out, place& where, floor_output& floor, time_ms now) {
  for (auto& event : floor.room) {
    emit_place(out, where, std::move(event), now);
  }
  if (floor.staff.empty()) {
    return;
  }
  auto staff = roster_.facilitators();
  for (auto& event : floor.staff) {
    for (member* f : staff) {
      emit_direct(out, *f, event, now);
    }
  }
}

std::string room::check_invariants() const {
  for (auto broken :
       {distress_.check_invariants(roster_), check_moderation(roster_, ended_), check_lobby(),
        polls_.check_invariants(roster_), check_breakouts(), worksheets_.check_invariants()}) {
    if (!broken.empty()) {
      return broken;
    }
  }
  for (const auto& [id, where] : places_) {
    if (auto broken = where.floor.check_invariants(roster_); !broken.empty()) {
      return broken;
    }
    if (auto broken = where.recent_chat.check_bounds(); !broken.empty()) {
      return broken;
    }
    for (const auto& chat : where.recent_chat) {
      const chat_record* record = find_chat(where, chat.seq());
      if (record == nullptr || record->deleted) {
        return "a deleted or unknown chat message is kept for snapshots";
      }
    }
  }
  return {};
}

}  // namespace hearth::core
