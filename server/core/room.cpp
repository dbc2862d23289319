// The room core: membership, presence with a reconnect grace period, chat
// (room, facilitator and private scope).
#include "core/room.hpp"

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

}  // namespace

room::room(std::string id, room_limits limits)
    : id_(std::move(id)), limits_(limits), floor_(limits_) {}

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
  if (roster_.find_by_connection(conn) != nullptr) {
    out.reply = error_reply(v1::ERROR_CODE_ALREADY_JOINED, "connection already joined");
    return out;
  }

  member* m = roster_.find_by_subject(who.subject);
  const bool active = m != nullptr && m->presence != v1::PRESENCE_LEFT;
  if (!active && roster_.active_count() >= limits_.max_members) {
    out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "room is full");
    return out;
  }

  if (m == nullptr || m->presence == v1::PRESENCE_LEFT) {
    const v1::Presence before = m == nullptr ? v1::PRESENCE_UNSPECIFIED : v1::PRESENCE_LEFT;
    if (m == nullptr) {
      m = &roster_.add(who, now);
    } else {
      m->who = who;
      m->presence = v1::PRESENCE_PRESENT;
      m->joined_at = now;
    }
    roster_.bind(*m, conn);
    v1::Event e;
    *e.mutable_member_joined()->mutable_member() = to_wire(*m);
    emit_room(out, std::move(e), now);
    out.attendance.push_back({attendance_change::kind::opened, m->who.subject, m->who.role, now});
    presence_changed(out, *m, before, now);
    brief_arriving_facilitator(out, *m, now);
  } else {
    // Same identity again: the newer connection wins, without presence flapping.
    if (m->connection) {
      out.closes.push_back({*m->connection, v1::CLOSE_CODE_REPLACED,
                            "replaced by a newer connection of the same identity"});
    }
    roster_.bind(*m, conn);
    if (m->presence == v1::PRESENCE_RECONNECTING) {
      m->presence = v1::PRESENCE_PRESENT;
      emit_room(out, presence_event(m->id, v1::PRESENCE_PRESENT), now);
      presence_changed(out, *m, v1::PRESENCE_RECONNECTING, now);
    }
  }
  out.reply = join_reply(*m, seq_, id_);
  return out;
}

effects room::disconnect(connection_id conn, time_ms now) {
  effects out;
  member* m = roster_.find_by_connection(conn);
  if (m == nullptr) {
    return out;
  }
  roster_.unbind(*m);
  m->presence = v1::PRESENCE_RECONNECTING;
  m->dropped_at = now;
  m->grace_deadline = now + limits_.reconnect_grace;
  emit_room(out, presence_event(m->id, v1::PRESENCE_RECONNECTING), now);
  presence_changed(out, *m, v1::PRESENCE_PRESENT, now);
  return out;
}

effects room::handle(connection_id conn, const v1::ClientMessage& message, time_ms now) {
  member* m = roster_.find_by_connection(conn);
  if (m == nullptr) {
    effects out;
    out.reply = error_reply(v1::ERROR_CODE_NOT_JOINED, "join the room first");
    return out;
  }
  switch (message.command_case()) {
    case v1::ClientMessage::kSendChat:
      return send_chat(*m, message.send_chat(), now);
    case v1::ClientMessage::kTyping: {
      effects out;
      v1::Event e;
      e.mutable_typing()->set_member_id(m->id);
      e.mutable_typing()->set_active(message.typing().active());
      emit_ephemeral(out, m->id, std::move(e), now);
      return out;
    }
    case v1::ClientMessage::kLeaveRoom:
      return leave(*m, now);
    case v1::ClientMessage::kFloor:
      return floor_command(*m, message, now);
    case v1::ClientMessage::kSignalDistress:
      return signal_distress(*m, now);
    case v1::ClientMessage::kAcknowledgeDistress:
      return acknowledge_distress(*m, message.acknowledge_distress().signal_id(), now);
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

effects room::send_chat(member& from, const v1::SendChat& chat, time_ms now) {
  effects out;
  auto& seen = dedupe_[from.id];
  if (chat.client_msg_id() != 0) {
    auto it = std::find_if(seen.begin(), seen.end(),
                           [&](const auto& entry) { return entry.first == chat.client_msg_id(); });
    if (it != seen.end()) {
      out.reply.emplace();
      *out.reply->mutable_chat() = it->second;
      out.reply->mutable_chat()->set_duplicate(true);
      return out;
    }
  }
  if (chat.text().empty()) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "chat text is empty");
    return out;
  }
  if (chat.text().size() > limits_.max_chat_bytes) {
    out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "chat text is too long");
    return out;
  }
  const v1::ChatScope scope =
      chat.scope() == v1::CHAT_SCOPE_UNSPECIFIED ? v1::CHAT_SCOPE_ROOM : chat.scope();
  if (scope != v1::CHAT_SCOPE_ROOM && scope != v1::CHAT_SCOPE_FACILITATORS &&
      scope != v1::CHAT_SCOPE_PRIVATE) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "unknown chat scope");
    return out;
  }
  member* recipient = nullptr;
  if (scope == v1::CHAT_SCOPE_PRIVATE) {
    v1::Reply refused;
    recipient = private_recipient(from, chat.to_member_id(), refused);
    if (recipient == nullptr) {
      out.reply = std::move(refused);
      return out;
    }
  } else if (chat.to_member_id() != 0) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "to_member_id needs the private scope");
    return out;
  }
  // Observers watch; they may write to the facilitators (either private
  // scope) but not to the room.
  if (scope == v1::CHAT_SCOPE_ROOM && from.who.role == v1::ROLE_OBSERVER) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "observers cannot chat to the room");
    return out;
  }

  v1::Event e;
  auto* message = e.mutable_chat();
  message->set_from_member_id(from.id);
  message->set_text(chat.text());
  message->set_scope(scope);
  message->set_sent_at_ms(static_cast<std::uint64_t>(now));

  v1::ChatResult result;
  if (scope == v1::CHAT_SCOPE_ROOM) {
    remember_chat(*message);
    emit_room(out, std::move(e), now);
    result.set_seq(seq_);
  } else if (recipient != nullptr) {
    message->set_to_member_id(recipient->id);
    emit_direct(out, *recipient, e, now);
    emit_direct(out, from, std::move(e), now);  // the sender's own copy
    result.set_direct_seq(from.direct_seq);
  } else {
    auto staff = roster_.facilitators();
    if (staff.empty() || (staff.size() == 1 && staff.front()->id == from.id)) {
      out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no other facilitator is in the room",
                              /*temporary=*/true);
      return out;
    }
    for (member* f : staff) {
      if (f->id != from.id) {
        emit_direct(out, *f, e, now);
      }
    }
    emit_direct(out, from, std::move(e), now);  // the sender's own copy
    result.set_direct_seq(from.direct_seq);
  }

  if (chat.client_msg_id() != 0) {
    seen.emplace_back(chat.client_msg_id(), result);
    while (seen.size() > limits_.dedupe_window) {
      seen.pop_front();
    }
  }
  out.reply.emplace();
  *out.reply->mutable_chat() = result;
  return out;
}

effects room::leave(member& m, time_ms now) {
  effects out;
  roster_.unbind(m);
  m.presence = v1::PRESENCE_LEFT;
  emit_room(out, left_event(m.id, v1::LEAVE_REASON_LEFT), now);
  out.attendance.push_back({attendance_change::kind::closed, m.who.subject, m.who.role, now});
  presence_changed(out, m, v1::PRESENCE_PRESENT, now);
  out.reply.emplace();
  out.reply->mutable_leave();
  return out;
}

effects room::wake(time_ms now) {
  effects out;
  for (member* m : roster_.expired_graces(now)) {
    m->presence = v1::PRESENCE_LEFT;
    emit_room(out, left_event(m->id, v1::LEAVE_REASON_GRACE_EXPIRED), now);
    out.attendance.push_back(
        {attendance_change::kind::closed, m->who.subject, m->who.role, m->dropped_at});
    presence_changed(out, *m, v1::PRESENCE_RECONNECTING, now);
  }
  floor_output floor;
  floor_.wake(roster_, now, floor);
  emit_floor(out, floor, now);
  return out;
}

std::optional<time_ms> room::next_wake() const {
  auto grace = roster_.earliest_grace_deadline();
  auto turn = floor_.next_wake();
  if (grace && turn) {
    return std::min(*grace, *turn);
  }
  return grace ? grace : turn;
}

effects room::floor_command(member& from, const v1::ClientMessage& message, time_ms now) {
  effects out;
  floor_output floor;
  auto reply = floor_.handle(from, message.floor(), roster_, now, floor);
  emit_floor(out, floor, now);
  if (reply.has_floor()) {
    reply.mutable_floor()->set_seq(seq_);
  }
  out.reply = std::move(reply);
  return out;
}

void room::presence_changed(effects& out, const member& m, v1::Presence before, time_ms now) {
  floor_output floor;
  floor_.presence_changed(m, before, roster_, now, floor);
  emit_floor(out, floor, now);
}

void room::emit_floor(effects& out, floor_output& floor, time_ms now) {
  for (auto& event : floor.room) {
    emit_room(out, std::move(event), now);
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
  auto broken = floor_.check_invariants(roster_);
  return broken.empty() ? distress_.check_invariants(roster_) : broken;
}

v1::RoomSnapshot room::snapshot(member_id viewer, time_ms now) const {
  v1::RoomSnapshot snap;
  snap.set_room_id(id_);
  for (const member* m : roster_.active_members()) {
    *snap.add_members() = to_wire(*m);
  }
  for (const auto& chat : recent_chat_) {
    *snap.add_recent_chat() = chat;
  }
  *snap.mutable_floor() = floor_.state(now);
  const member* who = roster_.find(viewer);
  if (who != nullptr && is_facilitator(who->who.role)) {
    *snap.mutable_airtime() = floor_.airtime(roster_, now);
  }
  if (who != nullptr) {
    for (const distress_signal* signal : distress_.visible_to(*who)) {
      *snap.add_open_distress() = signal_to_wire(*signal);
    }
  }
  return snap;
}

std::uint32_t room::direct_head(member_id id) const {
  const member* m = roster_.find(id);
  return m == nullptr ? 0 : m->direct_seq;
}

std::optional<member_id> room::member_of(connection_id conn) {
  const member* m = roster_.find_by_connection(conn);
  return m == nullptr ? std::nullopt : std::optional<member_id>(m->id);
}

void room::emit_room(effects& out, v1::Event event, time_ms now) {
  event.set_room_id(id_);
  event.set_seq(++seq_);
  event.set_server_time_ms(static_cast<std::uint64_t>(now));
  out.events.push_back({{audience_kind::room_stream, 0}, std::move(event)});
}

void room::emit_direct(effects& out, member& to, v1::Event event, time_ms now) {
  event.set_room_id(id_);
  event.set_direct_seq(++to.direct_seq);
  event.set_server_time_ms(static_cast<std::uint64_t>(now));
  out.events.push_back({{audience_kind::direct, to.id}, std::move(event)});
}

void room::emit_ephemeral(effects& out, member_id except, v1::Event event, time_ms now) {
  event.set_room_id(id_);
  event.set_server_time_ms(static_cast<std::uint64_t>(now));
  out.events.push_back({{audience_kind::everyone_but, except}, std::move(event)});
}

v1::Member room::to_wire(const member& m) const {
  v1::Member wire;
  wire.set_member_id(m.id);
  wire.set_display_name(m.who.display_name);
  wire.set_role(m.who.role);
  wire.set_presence(m.presence);
  wire.set_joined_at_ms(static_cast<std::uint64_t>(m.joined_at));
  return wire;
}

void room::remember_chat(const v1::ChatMessage& chat) {
  recent_chat_.push_back(chat);
  while (recent_chat_.size() > limits_.recent_chat) {
    recent_chat_.pop_front();
  }
}

}  // namespace hearth::core
