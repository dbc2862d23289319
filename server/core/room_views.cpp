// What the room shows and sends: snapshots per viewer, the wire form of a
// member, and the stamping of events for their streams (the room's, each
// breakout room's, and each member's direct stream).
#include <utility>

#include "core/room.hpp"

namespace hearth::core {

v1::RoomSnapshot room::snapshot(member_id viewer, time_ms now) const {
  v1::RoomSnapshot snap;
  snap.set_room_id(id_);
  for (const member* m : roster_.active_members()) {
    *snap.add_members() = to_wire(*m);
  }
  const member* who = roster_.find(viewer);
  const place& where = who == nullptr ? places_.at(0) : place_of(*who);
  snap.set_breakout_id(where.id);
  for (const auto& chat : where.recent_chat) {
    *snap.add_recent_chat() = chat;
  }
  *snap.mutable_floor() = where.floor.state(now);
  if (places_.size() > 1) {
    *snap.mutable_breakouts() = breakout_state();
  }
  snap.set_locked(locked_);
  snap.set_chat_policy(plan_.chat_policy);
  if (break_) {
    *snap.mutable_break_state() = *break_;
  }
  if (who != nullptr && is_facilitator(who->who.role)) {
    *snap.mutable_airtime() = where.floor.airtime(roster_, now);
    *snap.mutable_lobby() = lobby_state(now);
    for (auto& b : bans_.to_wire()) {
      *snap.add_bans() = std::move(b);
    }
  }
  if (who != nullptr) {
    for (const distress_signal* signal : distress_.visible_to(*who)) {
      *snap.add_open_distress() = signal_to_wire(*signal);
    }
  }
  for (const poll& p : polls_.polls()) {
    *snap.add_polls() = state_to_wire(p, who);
  }
  add_worksheets(snap, who);
  return snap;
}

std::uint32_t room::direct_head(member_id id) const {
  const member* m = roster_.find(id);
  return m == nullptr ? 0 : m->direct_seq;
}

std::uint32_t room::head_seq(std::uint32_t breakout) const {
  auto it = places_.find(breakout);
  return it == places_.end() ? 0 : it->second.seq;
}

std::uint32_t room::place_of_member(member_id id) const {
  const member* m = roster_.find(id);
  return m == nullptr ? 0 : m->place;
}

std::optional<member_id> room::member_of(connection_id conn) {
  const member* m = roster_.find_by_connection(conn);
  return m == nullptr ? std::nullopt : std::optional<member_id>(m->id);
}

void room::emit_room(effects& out, v1::Event event, time_ms now) {
  // One copy per open room: without breakouts, the main room's alone.
  if (places_.size() == 1) {
    emit_place(out, places_.at(0), std::move(event), now);
    return;
  }
  for (auto& [id, where] : places_) {
    emit_place(out, where, event, now);
  }
}

void room::emit_place(effects& out, place& where, v1::Event event, time_ms now) {
  event.set_room_id(id_);
  event.set_seq(++where.seq);
  if (where.id != 0) {
    event.set_breakout_id(where.id);
  }
  event.set_server_time_ms(static_cast<std::uint64_t>(now));
  out.events.push_back({{audience_kind::room_stream, 0, where.id}, std::move(event)});
}

void room::emit_direct(effects& out, member& to, v1::Event event, time_ms now) {
  event.set_room_id(id_);
  event.set_direct_seq(++to.direct_seq);
  event.set_server_time_ms(static_cast<std::uint64_t>(now));
  out.events.push_back({{audience_kind::direct, to.id}, std::move(event)});
}

void room::emit_ephemeral(effects& out, const member& except, v1::Event event, time_ms now) {
  event.set_room_id(id_);
  if (except.place != 0) {
    event.set_breakout_id(except.place);
  }
  event.set_server_time_ms(static_cast<std::uint64_t>(now));
  out.events.push_back({{audience_kind::everyone_but, except.id, except.place}, std::move(event)});
}

v1::Member room::to_wire(const member& m) const {
  v1::Member wire;
  wire.set_member_id(m.id);
  wire.set_display_name(m.who.display_name);
  wire.set_role(m.who.role);
  wire.set_presence(m.presence);
  wire.set_joined_at_ms(static_cast<std::uint64_t>(m.joined_at));
  wire.set_chat_muted(m.chat_muted);
  wire.set_floor_muted(m.floor_muted);
  wire.set_may_unmute_self(m.may_unmute_self);
  wire.set_breakout_id(m.place);
  return wire;
}

}  // namespace hearth::core
