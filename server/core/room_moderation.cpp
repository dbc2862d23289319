// The room's moderation commands: mutes, removal, the lock, ending the
// session, deleting a chat message and co-facilitators. The checks come in a
// fixed order (action, role, arguments, the member named, authority over
// them) and a refused command changes nothing. Every command that passes the
// role check, and every one refused for lack of authority, leaves one audit
// note: identities and codes, never content.
#include <string>
#include <utility>

#include "core/moderation.hpp"
#include "core/room.hpp"

namespace hearth::core {
namespace {

v1::Reply done(std::uint32_t seq) {
  v1::Reply reply;
  reply.mutable_moderation()->set_seq(seq);
  return reply;
}

audit_note note(const member& actor, const v1::Moderation& command, const member* target,
                std::string outcome, std::string detail, time_ms now) {
  return {actor.who.subject,
          actor.who.role,
          audit_action(command),
          target != nullptr ? target->who.subject : std::string(),
          std::move(outcome),
          std::move(detail),
          now};
}

std::string denial_message(const std::string& code) {
  if (code == "self") {
    return "you cannot do this to yourself";
  }
  if (code == "facilitator_target") {
    return "a co-facilitator cannot do this to a facilitator";
  }
  if (code == "not_lead") {
    return "only a facilitator can hand over the lead";
  }
  if (code == "facilitator_present") {
    return "a co-facilitator cannot end the session while a facilitator is here";
  }
  if (code == "not_allowed") {
    return "only a facilitator can lift your mute";
  }
  return "only facilitators can do this";
}

void deny(effects& out, const member& actor, const v1::Moderation& command, const member* target,
          const std::string& code, time_ms now) {
  out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, denial_message(code));
  out.audit.push_back(note(actor, command, target, "denied", code, now));
}

std::string unchanged(std::string detail, bool changed) {
  if (changed) {
    return detail;
  }
  return detail.empty() ? "no_change" : detail + " no_change";
}

}  // namespace

effects room::moderate(member& actor, const v1::Moderation& command, time_ms now) {
  effects out;
  if (command.action_case() == v1::Moderation::ACTION_NOT_SET) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, bad_arguments(command));
    return out;
  }
  if (command.has_unmute_self()) {
    return unmute_self(actor, now);
  }
  const member_id named = moderation_target(command);
  member* target = named == 0 ? nullptr : roster_.find(named);
  const member* audited = target;
  if (command.has_delete_chat()) {
    const chat_record* chat = find_chat(place_of(actor), command.delete_chat().seq());
    audited = chat == nullptr ? nullptr : roster_.find(chat->from);
  }
  if (!may_moderate(actor.who.role)) {
    deny(out, actor, command, audited, "not_staff", now);
    if (command.has_unban()) {
      out.audit.back().target = moderation_subject(command);
    }
    return out;
  }
  if (auto problem = bad_arguments(command); !problem.empty()) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, std::move(problem));
    return out;
  }
  if (command.has_ban() || command.has_unban()) {
    ban_command(out, actor, target, command, now);
  } else if (command.has_mute() || command.has_unmute() || command.has_remove() ||
             command.has_set_role() || command.has_transfer_lead()) {
    if (target == nullptr || target->presence == v1::PRESENCE_LEFT) {
      out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such member in the room");
      return out;
    }
    if (auto why = refusal(actor, *target); !why.empty()) {
      deny(out, actor, command, target, why, now);
      return out;
    }
    moderate_member(out, actor, *target, command, now);
  } else {
    moderate_room(out, actor, command, now);
  }
  if (!out.reply) {
    out.reply = done(place_of(actor).seq);
  }
  return out;
}

void room::moderate_member(effects& out, member& actor, member& target,
                           const v1::Moderation& command, time_ms now) {
  std::string detail;
  bool changed = true;
  if (command.has_mute()) {
    const auto& mute = command.mute();
    changed = set_mutes(out, target, target.chat_muted || mute.chat(),
                        target.floor_muted || mute.floor(), false, actor.id, now);
    detail = mute_code(mute.chat(), mute.floor());
  } else if (command.has_unmute()) {
    const auto& unmute = command.unmute();
    changed =
        set_mutes(out, target, target.chat_muted && !unmute.chat(),
                  target.floor_muted && !unmute.floor(), target.may_unmute_self, actor.id, now);
    detail = mute_code(unmute.chat(), unmute.floor());
  } else if (command.has_remove()) {
    remove(out, target, now);
  } else if (command.has_set_role()) {
    const v1::Role asked = command.set_role().role();
    const v1::Role role = asked == v1::ROLE_UNSPECIFIED ? target.token_role : asked;
    if (role != v1::ROLE_CO_FACILITATOR && role != target.token_role) {
      out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST,
                              "a member is either a co-facilitator or has their token's role");
      return;
    }
    changed = role != target.who.role;
    if (changed) {
      set_role(out, actor, target, role, now);
    }
    detail = "role=" + role_label(role);
  } else if (command.has_transfer_lead()) {
    if (actor.who.role != v1::ROLE_FACILITATOR) {
      deny(out, actor, command, &target, "not_lead", now);
      return;
    }
    if (target.who.role != v1::ROLE_CO_FACILITATOR || !is_facilitator(target.token_role) ||
        target.presence != v1::PRESENCE_PRESENT) {
      out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                              "the lead goes to a co-facilitator on the staff who is present");
      return;
    }
    set_role(out, actor, target, v1::ROLE_FACILITATOR, now);
    set_role(out, actor, actor, v1::ROLE_CO_FACILITATOR, now);
  }
  out.audit.push_back(note(actor, command, &target, "ok", unchanged(detail, changed), now));
}

void room::moderate_room(effects& out, member& actor, const v1::Moderation& command, time_ms now) {
  std::string detail;
  bool changed = true;
  const member* target = nullptr;
  if (command.has_mute_all()) {
    const auto& all = command.mute_all();
    std::size_t muted = 0;
    for (member* m : roster_.active_members()) {
      if (!in_mute_all(*m)) {
        continue;
      }
      // A mute that could not be lifted by its owner stays that way.
      const bool had_mute = m->chat_muted || m->floor_muted;
      const bool self_unmute = all.allow_self_unmute() && (!had_mute || m->may_unmute_self);
      if (set_mutes(out, *m, m->chat_muted || all.chat(), m->floor_muted || all.floor(),
                    self_unmute, actor.id, now)) {
        ++muted;
      }
    }
    // Newcomers get the same, until UnmuteAll.
    const std::string newcomers_before = newcomer_mutes_.SerializeAsString();
    const bool had_newcomer_mute = newcomer_mutes_.chat() || newcomer_mutes_.floor();
    newcomer_mutes_.set_allow_self_unmute(
        all.allow_self_unmute() && (!had_newcomer_mute || newcomer_mutes_.allow_self_unmute()));
    newcomer_mutes_.set_chat(newcomer_mutes_.chat() || all.chat());
    newcomer_mutes_.set_floor(newcomer_mutes_.floor() || all.floor());
    changed = muted > 0 || newcomer_mutes_.SerializeAsString() != newcomers_before;
    detail = mute_code(all.chat(), all.floor()) + (all.allow_self_unmute() ? " self_unmute" : "") +
             " members=" + std::to_string(muted);
  } else if (command.has_unmute_all()) {
    std::size_t unmuted = 0;
    for (member* m : roster_.active_members()) {
      if (set_mutes(out, *m, false, false, false, actor.id, now)) {
        ++unmuted;
      }
    }
    changed = unmuted > 0 || newcomer_mutes_.chat() || newcomer_mutes_.floor();
    newcomer_mutes_.Clear();
    detail = "members=" + std::to_string(unmuted);
  } else if (command.has_start_break()) {
    const std::uint32_t ms = command.start_break().duration_ms();
    if (ms > limits_.max_break) {
      out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED,
                              "a break lasts at most " + std::to_string(limits_.max_break) + " ms");
      return;
    }
    start_break(out, actor, ms, now);
    detail = "ms=" + std::to_string(ms);
  } else if (command.has_end_break()) {
    changed = break_.has_value();
    if (changed) {
      end_break(out, actor.id, now);
    }
  } else if (command.has_lock() || command.has_unlock()) {
    const bool lock = command.has_lock();
    changed = locked_ != lock;
    if (changed) {
      locked_ = lock;
      v1::Event e;
      e.mutable_room_locked()->set_locked(lock);
      emit_room(out, std::move(e), now);
    }
  } else if (command.has_end_session()) {
    if (actor.who.role == v1::ROLE_CO_FACILITATOR) {
      for (const member* m : roster_.active_members()) {
        if (m->who.role == v1::ROLE_FACILITATOR) {
          deny(out, actor, command, nullptr, "facilitator_present", now);
          return;
        }
      }
    }
    detail = "members=" + std::to_string(roster_.active_count());
    end_session(out, now);
  } else if (command.has_delete_chat()) {
    const std::uint32_t seq = command.delete_chat().seq();
    const chat_record* chat = find_chat(place_of(actor), seq);
    if (chat == nullptr) {
      out.reply =
          error_reply(v1::ERROR_CODE_NOT_FOUND, "no recent room chat message with that seq");
      return;
    }
    target = roster_.find(chat->from);
    changed = delete_chat(out, place_of(actor), seq, now);
    detail = "seq=" + std::to_string(seq);
  }
  out.audit.push_back(note(actor, command, target, "ok", unchanged(detail, changed), now));
}

effects room::unmute_self(member& m, time_ms now) {
  effects out;
  v1::Moderation command;
  command.mutable_unmute_self();
  if (!m.chat_muted && !m.floor_muted) {
    out.reply = done(place_of(m).seq);  // nothing to lift, nothing recorded
    return out;
  }
  if (!m.may_unmute_self) {
    deny(out, m, command, &m, "not_allowed", now);
    return out;
  }
  set_mutes(out, m, false, false, false, m.id, now);
  out.audit.push_back(note(m, command, &m, "ok", "self", now));
  out.reply = done(place_of(m).seq);
  return out;
}

bool room::set_mutes(effects& out, member& m, bool chat, bool floor, bool self_unmute,
                     member_id actor, time_ms now) {
  self_unmute = self_unmute && (chat || floor);
  if (m.chat_muted == chat && m.floor_muted == floor && m.may_unmute_self == self_unmute) {
    return false;
  }
  const bool silenced = floor && !m.floor_muted;
  m.chat_muted = chat;
  m.floor_muted = floor;
  m.may_unmute_self = self_unmute;
  emit_room(out, moderation_event(m), now);
  if (silenced) {
    floor_output changes;
    place_of(m).floor.member_silenced(m, actor, roster_, now, changes);
    emit_floor(out, place_of(m), changes, now);
  }
  return true;
}

void room::set_role(effects& out, member& actor, member& target, v1::Role role, time_ms now) {
  const bool was_staff = is_facilitator(target.who.role);
  const auto readable = readable_sheets(target);
  target.who.role = role;
  v1::Event e;
  e.mutable_member_role_changed()->set_member_id(target.id);
  e.mutable_member_role_changed()->set_role(role);
  emit_room(out, std::move(e), now);
  floor_output changes;
  place_of(target).floor.role_changed(target, actor.id, roster_, now, changes);
  emit_floor(out, place_of(target), changes, now);
  if (!was_staff && is_facilitator(role)) {
    brief_arriving_facilitator(out, target, now);  // open distress signals, as on arrival
  }
  sheets_after_role_change(out, target, readable, actor.id, now);
}

void room::remove(effects& out, member& target, time_ms now) {
  if (target.connection) {
    out.closes.push_back(
        {*target.connection, v1::CLOSE_CODE_REMOVED, "removed from the room by a facilitator"});
  }
  depart(out, target, v1::LEAVE_REASON_REMOVED, now);
  target.held = v1::WAIT_REASON_REMOVED;
}

std::string room::moderation_subject(const v1::Moderation& command) {
  if (command.has_unban()) {
    const ban* b = bans_.find(command.unban().ban_id());
    return b == nullptr ? std::string() : b->subject;
  }
  member_id named = moderation_target(command);
  if (command.has_delete_chat()) {
    const chat_record* chat = find_chat(places_.at(0), command.delete_chat().seq());
    named = chat == nullptr ? 0 : chat->from;
  }
  const member* m = named == 0 ? nullptr : roster_.find(named);
  return m == nullptr ? std::string() : m->who.subject;
}

void room::start_break(effects& out, const member& actor, std::uint32_t ms, time_ms now) {
  v1::Break b;
  b.set_active(true);
  // A new countdown for a running break keeps when it started.
  b.set_started_at_ms(break_ ? break_->started_at_ms() : static_cast<std::uint64_t>(now));
  b.set_ends_at_ms(ms == 0 ? 0 : static_cast<std::uint64_t>(now + ms));
  b.set_by_member_id(actor.id);
  break_ = b;
  v1::Event e;
  *e.mutable_break_changed()->mutable_break_state() = b;
  e.mutable_break_changed()->set_by_member_id(actor.id);
  emit_room(out, std::move(e), now);
  for (auto& [id, where] : places_) {
    floor_output changes;
    where.floor.set_break(true, actor.id, now, changes);
    emit_floor(out, where, changes, now);
  }
}

void room::end_break(effects& out, member_id by, time_ms now) {
  break_.reset();
  v1::Event e;
  e.mutable_break_changed()->mutable_break_state()->set_active(false);
  e.mutable_break_changed()->set_by_member_id(by);
  emit_room(out, std::move(e), now);
  for (auto& [id, where] : places_) {
    floor_output changes;
    where.floor.set_break(false, by, now, changes);
    emit_floor(out, where, changes, now);
  }
}

void room::end_session(effects& out, time_ms now) {
  ended_ = true;
  for (waiting_person* w : lobby_.people()) {
    if (w->connection) {
      out.closes.push_back(
          {*w->connection, v1::CLOSE_CODE_SESSION_ENDED, "a facilitator ended the session"});
    }
    lobby_.remove(w->id);
  }
  for (member* m : roster_.active_members()) {
    if (m->connection) {
      out.closes.push_back(
          {*m->connection, v1::CLOSE_CODE_SESSION_ENDED, "a facilitator ended the session"});
    }
    depart(out, *m, v1::LEAVE_REASON_SESSION_ENDED, now);
  }
}

bool room::delete_chat(effects& out, place& where, std::uint32_t seq, time_ms now) {
  chat_record* record = find_chat(where, seq);
  if (record == nullptr || record->deleted) {
    return false;
  }
  record->deleted = true;
  where.recent_chat.erase(seq);
  v1::Event e;
  e.mutable_chat_deleted()->set_seq(seq);
  emit_place(out, where, std::move(e), now);
  if (plan_.keep_chat) {
    out.kept_chat.push_back({kept_chat_change::kind::deleted, seq, where.id, {}, {}, {}, now});
  }
  return true;
}

}  // namespace hearth::core
