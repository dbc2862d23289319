// Bans: a facilitator bans a member (present or gone) or someone waiting,
// and lifts a ban. A ban names the identity, so it refuses every token of
// theirs; the shell keeps the list durably (effects::bans) and the room reads
// it back when it opens (restore_ban).
#include <string>

#include "core/moderation.hpp"
#include "core/room.hpp"

namespace hearth::core {
namespace {

void refuse_ban(effects& out, const member& actor, const member& target, const std::string& why,
                time_ms now) {
  out.reply =
      error_reply(v1::ERROR_CODE_PERMISSION_DENIED,
                  why == "self"           ? "you cannot do this to yourself"
                  : why == "staff_target" ? "facilitators and co-facilitators cannot be banned"
                                          : "a co-facilitator cannot do this to a facilitator");
  out.audit.push_back(
      {actor.who.subject, actor.who.role, "ban", target.who.subject, "denied", why, now});
}

}  // namespace

void room::restore_ban(const std::string& subject, const std::string& display_name, v1::Role role,
                       time_ms at) {
  bans_.add(subject, display_name, role, at);
}

// Bans need no presence: a member who left can be banned, so that their old
// token stops working too. The ban list is kept by the shell (ban_change).
void room::ban_command(effects& out, member& actor, member* target, const v1::Moderation& command,
                       time_ms now) {
  if (command.has_unban()) {
    const ban* b = bans_.find(command.unban().ban_id());
    if (b == nullptr) {
      out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such ban");
      return;
    }
    const std::string subject = b->subject;
    out.bans.push_back({true, subject, {}, b->role, actor.who.subject, now});
    bans_.lift(b->id);
    emit_bans(out, now);
    out.audit.push_back({actor.who.subject, actor.who.role, "unban", subject, "ok", {}, now});
    return;
  }
  if (target == nullptr) {
    out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such member in the room");
    return;
  }
  if (auto why = refusal(actor, *target); !why.empty()) {
    refuse_ban(out, actor, *target, why, now);
    return;
  }
  if (is_facilitator(target->token_role) || is_facilitator(target->who.role)) {
    refuse_ban(out, actor, *target, "staff_target", now);
    return;
  }
  if (target->presence != v1::PRESENCE_LEFT) {
    if (target->connection) {
      out.closes.push_back(
          {*target->connection, v1::CLOSE_CODE_BANNED, "banned from the session by a facilitator"});
    }
    depart(out, *target, v1::LEAVE_REASON_BANNED, now);
  }
  impose_ban(out, actor, target->who, now);
  out.audit.push_back(
      {actor.who.subject, actor.who.role, "ban", target->who.subject, "ok", {}, now});
}

void room::impose_ban(effects& out, member& actor, const identity& who, time_ms now) {
  // Someone stepped out or removed may be waiting: they go too.
  if (waiting_person* waiting = lobby_.find_by_subject(who.subject)) {
    if (waiting->connection) {
      out.closes.push_back({*waiting->connection, v1::CLOSE_CODE_BANNED,
                            "banned from the session by a facilitator"});
    }
    lobby_.remove(waiting->id);
    emit_lobby(out, now);
  }
  auto [ban, added] = bans_.add(who.subject, who.display_name, who.role, now);
  // Written again when already banned: a retry after a failed commit records it.
  out.bans.push_back(
      {false, ban->subject, ban->display_name, ban->role, actor.who.subject, ban->at});
  if (added) {
    emit_bans(out, now);
  }
}

void room::emit_bans(effects& out, time_ms now) {
  const auto bans = bans_.to_wire();
  for (member* f : roster_.facilitators()) {
    v1::Event e;
    auto* changed = e.mutable_bans_changed();  // set even when the list is now empty
    for (const auto& b : bans) {
      *changed->add_bans() = b;
    }
    emit_direct(out, *f, std::move(e), now);
  }
}

}  // namespace hearth::core
