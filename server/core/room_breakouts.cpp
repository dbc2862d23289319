// Breakout rooms: facilitators split the session into smaller rooms, each
// with its own room stream, floor and chat. Members, moderation, the lobby,
// distress signals, polls and direct streams stay the session's, so the same
// rules hold everywhere and a call for a facilitator reaches them wherever
// they are.
#include <iterator>
#include <string>
#include <utility>

#include "core/room.hpp"

namespace hearth::core {
namespace {

v1::Reply breakout_reply(std::uint32_t seq, std::uint32_t direct_seq = 0) {
  v1::Reply reply;
  reply.mutable_breakout()->set_seq(seq);
  reply.mutable_breakout()->set_direct_seq(direct_seq);
  return reply;
}

const char* split_label(v1::BreakoutSplit split) {
  switch (split) {
    case v1::BREAKOUT_SPLIT_EVEN:
      return "even";
    case v1::BREAKOUT_SPLIT_BY_FAMILY:
      return "by_family";
    default:
      return "by_hand";
  }
}

}  // namespace

std::string breakout_action(const v1::BreakoutCommand& command) {
  switch (command.command_case()) {
    case v1::BreakoutCommand::kOpen:
      return "breakouts_opened";
    case v1::BreakoutCommand::kMove:
      return "breakout_move";
    case v1::BreakoutCommand::kBroadcast:
      return "breakout_broadcast";
    case v1::BreakoutCommand::kRecall:
      return "breakouts_recalled";
    case v1::BreakoutCommand::kEnter:
      return "breakout_entered";
    case v1::BreakoutCommand::kCallFacilitator:
      return "facilitator_called";
    case v1::BreakoutCommand::COMMAND_NOT_SET:
      break;
  }
  return "breakout";
}

room::place& room::place_of(const member& m) {
  auto it = places_.find(m.place);
  return it == places_.end() ? places_.at(0) : it->second;
}

const room::place& room::place_of(const member& m) const {
  auto it = places_.find(m.place);
  return it == places_.end() ? places_.at(0) : it->second;
}

effects room::breakout_command(member& from, const v1::BreakoutCommand& command, time_ms now) {
  effects out;
  if (command.command_case() == v1::BreakoutCommand::COMMAND_NOT_SET) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "empty breakout command");
    return out;
  }
  if (command.has_call_facilitator()) {
    return call_facilitator(from, now);
  }
  if (!is_facilitator(from.who.role)) {
    out.reply =
        error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "only facilitators manage breakout rooms");
    const member* named = command.has_move() ? roster_.find(command.move().member_id()) : nullptr;
    out.audit.push_back({from.who.subject, from.who.role, breakout_action(command),
                         named == nullptr ? "" : named->who.subject, "denied", "not_staff", now});
    return out;
  }
  if (command.has_open()) {
    return open_breakouts(from, command.open(), now);
  }
  const bool open = places_.size() > 1;
  if (!open) {
    out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "no breakout rooms are open");
    return out;
  }
  if (command.has_recall()) {
    recall(out, from.id, now);
    out.audit.push_back({from.who.subject, from.who.role, "breakouts_recalled", "", "ok", "", now});
  } else if (command.has_broadcast()) {
    const auto& text = command.broadcast().text();
    if (text.empty() || text.size() > limits_.max_chat_bytes) {
      out.reply =
          error_reply(text.empty() ? v1::ERROR_CODE_BAD_REQUEST : v1::ERROR_CODE_LIMIT_EXCEEDED,
                      "a broadcast is 1 to max chat bytes long");
      return out;
    }
    v1::Event e;
    e.mutable_breakout_broadcast()->set_from_member_id(from.id);
    e.mutable_breakout_broadcast()->set_text(text);
    emit_room(out, std::move(e), now);
    out.audit.push_back({from.who.subject, from.who.role, "breakout_broadcast", "", "ok", "", now});
  } else {
    const bool entering = command.has_enter();
    const std::uint32_t to =
        entering ? command.enter().breakout_id() : command.move().breakout_id();
    member* target = entering ? &from : roster_.find(command.move().member_id());
    if (target == nullptr || target->presence == v1::PRESENCE_LEFT) {
      out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such member in the room");
      return out;
    }
    if (!places_.contains(to)) {
      out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such breakout room");
      return out;
    }
    if (target->place != to) {
      move(out, *target, to, now);
      emit_breakouts(out, v1::BREAKOUT_CHANGE_MOVED, from.id, now);
      out.audit.push_back(
          {from.who.subject, from.who.role, entering ? "breakout_entered" : "breakout_move",
           entering ? std::string() : target->who.subject, "ok", "to=" + std::to_string(to), now});
    }
  }
  out.reply = breakout_reply(place_of(from).seq);
  return out;
}

effects room::open_breakouts(member& by, const v1::OpenBreakouts& open, time_ms now) {
  effects out;
  if (places_.size() > 1) {
    out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                            "breakout rooms are open; recall them first");
    return out;
  }
  if (open.duration_ms() > limits_.max_breakout) {
    out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "the breakout timer is too long");
    return out;
  }
  if (open.warning_ms() != 0 && open.warning_ms() >= open.duration_ms()) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST,
                            "the warning needs a timer longer than the warning");
    return out;
  }
  for (const auto& plan : open.rooms()) {
    if (plan.name().size() > limits_.max_breakout_name_bytes) {
      out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "a breakout room's name is too long");
      return out;
    }
  }
  v1::Reply refused;
  const auto rooms = split(open, refused);
  if (rooms.empty()) {
    out.reply = std::move(refused);
    return out;
  }
  std::vector<std::uint32_t> ids;
  for (std::size_t i = 0; i < rooms.size(); ++i) {
    const std::uint32_t id = next_breakout_id_++;
    std::string name = i < static_cast<std::size_t>(open.rooms_size())
                           ? open.rooms(static_cast<int>(i)).name()
                           : "";
    if (name.empty()) {
      name = "Room " + std::to_string(i + 1);
    }
    places_.try_emplace(id, id, std::move(name), limits_);
    ids.push_back(id);
    if (break_) {
      floor_output paused;
      places_.at(id).floor.set_break(true, by.id, now, paused);  // nothing to report yet
    }
  }
  for (std::size_t i = 0; i < rooms.size(); ++i) {
    for (member_id id : rooms[i]) {
      move(out, *roster_.find(id), ids[i], now);
    }
  }
  if (open.duration_ms() != 0) {
    breakouts_end_ = now + open.duration_ms();
    if (open.warning_ms() != 0) {
      breakouts_warning_ = *breakouts_end_ - open.warning_ms();
    }
  }
  breakouts_warned_ = false;
  emit_breakouts(out, v1::BREAKOUT_CHANGE_OPENED, by.id, now);
  out.audit.push_back({by.who.subject, by.who.role, "breakouts_opened", "", "ok",
                       "rooms=" + std::to_string(rooms.size()) +
                           " split=" + split_label(open.split()) +
                           " timer_ms=" + std::to_string(open.duration_ms()),
                       now});
  out.reply = breakout_reply(place_of(by).seq);
  return out;
}

effects room::call_facilitator(member& from, time_ms now) {
  effects out;
  if (is_facilitator(from.who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                            "facilitators go to a breakout room with EnterBreakout");
    return out;
  }
  if (from.place == 0) {
    out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                            "you are in the main room; calls come from breakout rooms");
    return out;
  }
  auto staff = roster_.facilitators();
  if (staff.empty()) {
    out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no facilitator is in the session",
                            /*temporary=*/true);
    return out;
  }
  v1::Event e;
  e.mutable_facilitator_called()->set_member_id(from.id);
  e.mutable_facilitator_called()->set_breakout_id(from.place);
  for (member* f : staff) {
    emit_direct(out, *f, e, now);
  }
  emit_direct(out, from, std::move(e), now);  // the caller's own copy
  out.audit.push_back({from.who.subject, from.who.role, "facilitator_called", from.who.subject,
                       "ok", "breakout=" + std::to_string(from.place), now});
  out.reply = breakout_reply(place_of(from).seq, from.direct_seq);
  return out;
}

void room::move(effects& out, member& m, std::uint32_t to, time_ms now) {
  if (m.place == to) {
    return;
  }
  const std::size_t at = out.events.size();
  place& from = place_of(m);
  m.place = to;
  floor_output left;
  from.floor.presence_changed(m, m.presence, roster_, now, left);
  emit_floor(out, from, left, now);
  place& into = place_of(m);
  floor_output arrived;
  into.floor.presence_changed(m, v1::PRESENCE_LEFT, roster_, now, arrived);
  emit_floor(out, into, arrived, now);
  if (m.connection) {
    out.moves.push_back({*m.connection, m.id, to, at});
  }
}

void room::recall(effects& out, member_id by, time_ms now) {
  for (member* m : roster_.active_members()) {
    move(out, *m, 0, now);
  }
  for (auto it = std::next(places_.begin()); it != places_.end();) {
    out.places_closed.push_back(it->first);
    it = places_.erase(it);
  }
  breakouts_end_.reset();
  breakouts_warning_.reset();
  breakouts_warned_ = false;
  emit_breakouts(out, v1::BREAKOUT_CHANGE_CLOSED, by, now);
}

v1::BreakoutState room::breakout_state() const {
  v1::BreakoutState state;
  for (auto it = std::next(places_.begin()); it != places_.end(); ++it) {
    auto* wire = state.add_rooms();
    wire->set_breakout_id(it->first);
    wire->set_name(it->second.name);
    for (const member* m : roster_.active_members()) {
      if (m->place == it->first) {
        wire->add_member_ids(m->id);
      }
    }
  }
  if (breakouts_end_) {
    state.set_ends_at_ms(static_cast<std::uint64_t>(*breakouts_end_));
  }
  if (breakouts_warning_) {
    state.set_warning_at_ms(static_cast<std::uint64_t>(*breakouts_warning_));
  }
  return state;
}

void room::emit_breakouts(effects& out, v1::BreakoutChange change, member_id by, time_ms now) {
  v1::Event e;
  auto* changed = e.mutable_breakouts_changed();
  *changed->mutable_state() = breakout_state();
  changed->set_change(change);
  changed->set_by_member_id(by);
  emit_room(out, std::move(e), now);
}

std::optional<time_ms> room::next_breakout_wake() const {
  if (places_.size() == 1) {
    return std::nullopt;
  }
  if (breakouts_warning_ && !breakouts_warned_) {
    return breakouts_warning_;
  }
  return breakouts_end_;
}

void room::wake_breakouts(effects& out, time_ms now) {
  if (places_.size() == 1) {
    return;
  }
  if (breakouts_warning_ && !breakouts_warned_ && *breakouts_warning_ <= now) {
    breakouts_warned_ = true;
    emit_breakouts(out, v1::BREAKOUT_CHANGE_ENDING_SOON, 0, now);
  }
  if (breakouts_end_ && *breakouts_end_ <= now) {
    recall(out, 0, now);
    out.audit.push_back({"", v1::ROLE_UNSPECIFIED, "breakouts_recalled", "", "ok", "timer", now});
  }
}

std::string room::check_breakouts() const {
  for (const member* m : roster_.active_members()) {
    if (!places_.contains(m->place)) {
      return "a member is in a breakout room that is not open";
    }
  }
  if (places_.size() == 1 && (breakouts_end_ || breakouts_warning_)) {
    return "a breakout timer runs without breakout rooms";
  }
  return {};
}

}  // namespace hearth::core
