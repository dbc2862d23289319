// The room's safety commands: distress signals to the facilitators and their
// acknowledgement, and who a private chat may go to. Every event here goes to
// direct streams only, so the room stream never shows that any of it happened.
#include <string>
#include <utility>

#include "core/room.hpp"

namespace hearth::core {
namespace {

v1::Reply distress_reply(std::uint32_t signal_id, bool duplicate) {
  v1::Reply reply;
  reply.mutable_distress()->set_signal_id(signal_id);
  reply.mutable_distress()->set_duplicate(duplicate);
  return reply;
}

// The audit detail naming a signal: an id, never content.
std::string signal_code(std::uint32_t signal_id) { return "signal=" + std::to_string(signal_id); }

}  // namespace

effects room::signal_distress(member& from, time_ms now) {
  effects out;
  if (!can_signal_distress(from.who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED,
                            "only participants and family members signal distress");
    return out;
  }
  if (const distress_signal* open = distress_.open_of(from.id)) {
    out.reply = distress_reply(open->id, /*duplicate=*/true);
    return out;
  }
  const distress_signal& signal = distress_.raise(from.id, now);
  v1::Event e;
  *e.mutable_distress_signal() = signal_to_wire(signal);
  // Facilitators who are not here see it in their snapshot when they arrive.
  auto staff = roster_.facilitators();
  for (member* f : staff) {
    emit_direct(out, *f, e, now);
  }
  emit_direct(out, from, std::move(e), now);  // the sender's confirmation
  out.audit.push_back({from.who.subject, from.who.role, "distress_signaled", from.who.subject, "ok",
                       signal_code(signal.id) + (staff.empty() ? " no_facilitator" : ""), now});
  out.reply = distress_reply(signal.id, /*duplicate=*/false);
  return out;
}

effects room::acknowledge_distress(member& by, std::uint32_t signal_id, time_ms now) {
  effects out;
  if (!is_facilitator(by.who.role)) {
    out.reply =
        error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "only facilitators acknowledge distress");
    return out;
  }
  const distress_signal* found = distress_.find(signal_id);
  if (found == nullptr) {
    out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such distress signal");
    return out;
  }
  if (!found->open()) {
    out.reply = distress_reply(signal_id, /*duplicate=*/true);
    return out;
  }
  const distress_signal& signal = distress_.acknowledge(signal_id, by.id, now);
  v1::Event e;
  auto* ack = e.mutable_distress_acknowledged();
  ack->set_signal_id(signal.id);
  ack->set_by_member_id(by.id);
  ack->set_at_ms(static_cast<std::uint64_t>(now));
  // Members are never erased, so the sender is there, present or not: a
  // sender who left finds the answer on their direct stream if they resume.
  member* sender = roster_.find(signal.from);
  if (sender != nullptr) {
    emit_direct(out, *sender, e, now);
  }
  for (member* f : roster_.facilitators()) {
    if (f != sender) {
      emit_direct(out, *f, e, now);  // consoles clear the alert
    }
  }
  out.audit.push_back({by.who.subject, by.who.role, "distress_acknowledged",
                       sender != nullptr ? sender->who.subject : std::string(), "ok",
                       signal_code(signal.id), now});
  out.reply = distress_reply(signal.id, /*duplicate=*/false);
  return out;
}

member* room::private_recipient(const member& from, member_id to, v1::Reply& refused) {
  if (to == 0) {
    refused = error_reply(v1::ERROR_CODE_BAD_REQUEST, "private chat needs to_member_id");
    return nullptr;
  }
  if (to == from.id) {
    refused = error_reply(v1::ERROR_CODE_BAD_REQUEST, "private chat to oneself");
    return nullptr;
  }
  member* recipient = roster_.find(to);
  if (recipient == nullptr || recipient->presence == v1::PRESENCE_LEFT) {
    refused = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such member in the room");
    return nullptr;
  }
  if (!may_write_privately(from, *recipient)) {
    refused = error_reply(v1::ERROR_CODE_PERMISSION_DENIED,
                          "private chat goes only to or from a facilitator");
    return nullptr;
  }
  return recipient;
}

void room::brief_arriving_facilitator(effects& out, member& m, time_ms now) {
  if (!is_facilitator(m.who.role)) {
    return;
  }
  for (const distress_signal* signal : distress_.open_signals()) {
    v1::Event e;
    *e.mutable_distress_signal() = signal_to_wire(*signal);
    emit_direct(out, m, std::move(e), now);
  }
  // The lobby and the bans as they are now, when there is anything to show.
  if (lobby_.size() != 0 || !lobby_.message().empty()) {
    v1::Event e;
    *e.mutable_lobby_changed()->mutable_lobby() = lobby_state(now);
    emit_direct(out, m, std::move(e), now);
  }
  if (auto bans = bans_.to_wire(); !bans.empty()) {
    v1::Event e;
    for (auto& b : bans) {
      *e.mutable_bans_changed()->add_bans() = std::move(b);
    }
    emit_direct(out, m, std::move(e), now);
  }
  brief_polls(out, m, now);
}

}  // namespace hearth::core
