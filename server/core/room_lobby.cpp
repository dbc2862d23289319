// The lobby and bans: who waits, admission and denial, stepping a member out,
// and the ban list. Facilitators and co-facilitators never wait. Every
// facilitator action leaves an audit note (identities and codes only).
#include <cctype>
#include <string>
#include <string_view>
#include <utility>

#include "core/moderation.hpp"
#include "core/room.hpp"

namespace hearth::core {
namespace {

v1::Reply lobby_reply(std::uint32_t admitted, std::uint32_t denied) {
  v1::Reply reply;
  reply.mutable_lobby()->set_admitted(admitted);
  reply.mutable_lobby()->set_denied(denied);
  return reply;
}

v1::Reply waiting_reply(const std::string& room_id, v1::LobbyStatus status) {
  v1::Reply reply;
  auto* join = reply.mutable_join();
  join->set_room_id(room_id);
  *join->mutable_lobby() = std::move(status);
  return reply;
}

// "admission", "no_facilitator", "stepped_out", "removed".
std::string reason_code(v1::WaitReason reason) {
  std::string code = v1::WaitReason_Name(reason).substr(std::string_view("WAIT_REASON_").size());
  for (char& c : code) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return code;
}

}  // namespace

void room::configure(session_plan plan) { plan_ = std::move(plan); }

bool room::facilitator_present() const {
  for (const member* m : roster_.active_members()) {
    if (is_facilitator(m->who.role)) {
      return true;
    }
  }
  return false;
}

v1::WaitReason room::wait_reason(const identity& who, const member* before) const {
  if (is_facilitator(who.role)) {
    return v1::WAIT_REASON_UNSPECIFIED;
  }
  // Observers are always let in by hand: nobody listens in unseen.
  if (who.role == v1::ROLE_OBSERVER || plan_.policy == v1::LOBBY_POLICY_EVERYONE_WAITS ||
      (plan_.policy == v1::LOBBY_POLICY_ROSTER_ENTERS && !plan_.roster.contains(who.subject))) {
    return v1::WAIT_REASON_ADMISSION;
  }
  if (before != nullptr && before->held != v1::WAIT_REASON_UNSPECIFIED) {
    return before->held;
  }
  if (!plan_.admit_before_facilitator && !facilitator_present()) {
    return v1::WAIT_REASON_NO_FACILITATOR;
  }
  return v1::WAIT_REASON_UNSPECIFIED;
}

effects room::wait_in_lobby(connection_id conn, const identity& who, v1::WaitReason reason,
                            member_id former, time_ms now) {
  effects out;
  if (lobby_.size() >= limits_.max_waiting) {
    out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "the lobby is full", true);
    return out;
  }
  waiting_person& person = lobby_.add(who, reason, now, former);
  person.connection = conn;
  emit_lobby(out, now);
  out.reply = waiting_reply(id_, lobby_.status_of(person));
  return out;
}

effects room::rejoin_lobby(connection_id conn, waiting_person& person, time_ms now) {
  effects out;
  if (person.connection) {
    out.closes.push_back({*person.connection, v1::CLOSE_CODE_REPLACED,
                          "replaced by a newer connection of the same identity"});
  }
  const bool was_connected = person.connection.has_value();
  person.connection = conn;
  // Held only until a facilitator came: one has, so they go in now.
  if (person.reason == v1::WAIT_REASON_NO_FACILITATOR && facilitator_present() &&
      admit(out, person, now)) {
    out.admitted.clear();  // the join's own reply carries them in
    emit_lobby(out, now);
    member* m = roster_.find_by_connection(conn);
    v1::Reply reply;
    auto* join = reply.mutable_join();
    join->set_room_id(id_);
    join->set_member_id(m->id);
    join->set_head_seq(place_of(*m).seq);
    join->set_direct_head_seq(m->direct_seq);
    out.reply = std::move(reply);
    return out;
  }
  if (!was_connected) {
    emit_lobby(out, now);
  }
  out.reply = waiting_reply(id_, lobby_.status_of(person));
  return out;
}

bool room::admit(effects& out, waiting_person& person, time_ms now) {
  if (!person.connection || roster_.active_count() >= limits_.max_members ||
      (person.who.role == v1::ROLE_OBSERVER &&
       consent_of(person.who.subject, now) != v1::CONSENT_STATE_VALID)) {
    return false;
  }
  const connection_id conn = *person.connection;
  const identity who = person.who;
  lobby_.remove(person.id);
  member& m = enter(out, conn, who, roster_.find_by_subject(who.subject), now);
  out.admitted.push_back({conn, m.id});
  return true;
}

void room::admit_held_for_facilitator(effects& out, time_ms now) {
  bool changed = false;
  for (waiting_person* person : lobby_.people()) {
    if (person->reason == v1::WAIT_REASON_NO_FACILITATOR && admit(out, *person, now)) {
      changed = true;
    }
  }
  if (changed) {
    emit_lobby(out, now);
  }
}

effects room::lobby_command(member& actor, const v1::LobbyCommand& command, time_ms now) {
  effects out;
  const std::string action = lobby_action(command);
  if (action.empty()) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "lobby command without an action");
    return out;
  }
  auto audit = [&](const std::string& target, std::string outcome, std::string detail) {
    out.audit.push_back({actor.who.subject, actor.who.role, action, target, std::move(outcome),
                         std::move(detail), now});
  };
  if (!may_moderate(actor.who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "only facilitators can do this");
    audit(lobby_target(command), "denied", "not_staff");
    return out;
  }
  std::uint32_t admitted = 0;
  std::uint32_t denied = 0;
  switch (command.action_case()) {
    case v1::LobbyCommand::kAdmit:
    case v1::LobbyCommand::kDeny: {
      const std::uint32_t id =
          command.has_admit() ? command.admit().waiting_id() : command.deny().waiting_id();
      waiting_person* person = lobby_.find(id);
      if (person == nullptr) {
        out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "nobody with that id is waiting");
        return out;
      }
      const std::string subject = person->who.subject;
      const std::string reason = reason_code(person->reason);
      if (command.has_deny()) {
        deny_waiting(out, *person, command.deny().ban(), actor, now);
        audit(subject, "ok", reason);
        denied = 1;
        break;
      }
      if (!person->connection) {
        out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                                "they are not connected; admit them when they are back");
        return out;
      }
      const bool observer = person->who.role == v1::ROLE_OBSERVER;
      if (observer && consent_of(subject, now) != v1::CONSENT_STATE_VALID) {
        if (!command.admit().attest_consent()) {
          out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                                  "no valid consent is recorded for this observer; attest it "
                                  "(attest_consent) or record it through the admin API");
          return out;
        }
        if (roster_.active_count() >= limits_.max_members) {
          out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "room is full");
          return out;
        }
        // The facilitator vouches that the consent was given: on record, for
        // this session, from now.
        consents_[subject] = {"attested", now, std::nullopt, std::nullopt};
        out.consents.push_back({subject, actor.who.subject, now});
        out.audit.push_back(
            {actor.who.subject, actor.who.role, "consent_attested", subject, "ok", {}, now});
      }
      if (!admit(out, *person, now)) {
        out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "room is full");
        return out;
      }
      audit(subject, "ok", reason);
      admitted = 1;
      break;
    }
    case v1::LobbyCommand::kAdmitAll:
      for (waiting_person* person : lobby_.people()) {
        if (person->connection && admit(out, *person, now)) {
          ++admitted;
        }
      }
      audit({}, "ok", "people=" + std::to_string(admitted));
      break;
    case v1::LobbyCommand::kDenyAll:
      for (waiting_person* person : lobby_.people()) {
        deny_waiting(out, *person, false, actor, now);
        ++denied;
      }
      audit({}, "ok", "people=" + std::to_string(denied));
      break;
    case v1::LobbyCommand::kSetMessage: {
      const std::string& text = command.set_message().text();
      if (text.size() > limits_.max_lobby_message_bytes) {
        out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED,
                                "the lobby message is limited to " +
                                    std::to_string(limits_.max_lobby_message_bytes) + " bytes");
        return out;
      }
      lobby_.set_message(text);
      for (waiting_person* person : lobby_.people()) {
        if (person->connection) {
          out.lobby_notices.push_back({*person->connection, lobby_.status_of(*person)});
        }
      }
      audit({}, "ok", text.empty() ? "cleared" : "set");  // never the text itself
      break;
    }
    case v1::LobbyCommand::kStepOut: {
      member* target = roster_.find(command.step_out().member_id());
      if (target == nullptr || target->presence == v1::PRESENCE_LEFT) {
        out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no such member in the room");
        return out;
      }
      if (auto why = refusal(actor, *target); !why.empty()) {
        out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED,
                                why == "self" ? "you cannot do this to yourself"
                                              : "a co-facilitator cannot do this to a facilitator");
        audit(target->who.subject, "denied", why);
        return out;
      }
      if (is_facilitator(target->who.role)) {
        out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                                "facilitators and co-facilitators never wait in the lobby");
        return out;
      }
      if (!target->connection) {
        out.reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                                "they are reconnecting; try again when they are back");
        return out;
      }
      step_out(out, *target, now);
      audit(target->who.subject, "ok", {});
      break;
    }
    case v1::LobbyCommand::ACTION_NOT_SET:
      break;
  }
  emit_lobby(out, now);
  out.reply = lobby_reply(admitted, denied);
  return out;
}

std::string room::lobby_target(const v1::LobbyCommand& command) {
  if (command.has_admit() || command.has_deny()) {
    const waiting_person* person = lobby_.find(command.has_admit() ? command.admit().waiting_id()
                                                                   : command.deny().waiting_id());
    return person == nullptr ? std::string() : person->who.subject;
  }
  if (command.has_step_out()) {
    const member* m = roster_.find(command.step_out().member_id());
    return m == nullptr ? std::string() : m->who.subject;
  }
  return {};
}

effects room::refuse_waiting(const waiting_person& person, const v1::ClientMessage& message,
                             time_ms now) {
  effects out;
  out.reply = error_reply(v1::ERROR_CODE_NOT_JOINED, "wait until a facilitator admits you");
  // Someone in the lobby trying a facilitator's command is worth a record.
  std::string action;
  std::string target;
  if (message.has_moderation()) {
    action = audit_action(message.moderation());
    target = moderation_subject(message.moderation());
  } else if (message.has_lobby()) {
    action = lobby_action(message.lobby());
    target = lobby_target(message.lobby());
  } else if (message.has_poll() && message.poll().has_start()) {
    action = "poll_started";
  } else if (message.has_poll() && message.poll().has_close()) {
    action = "poll_closed";
  } else if (message.has_breakout() && !message.breakout().has_call_facilitator()) {
    action = breakout_action(message.breakout());
  }
  if (!action.empty()) {
    out.audit.push_back(
        {person.who.subject, person.who.role, action, target, "denied", "waiting", now});
  }
  return out;
}

void room::deny_waiting(effects& out, waiting_person& person, bool ban, member& actor,
                        time_ms now) {
  if (person.connection) {
    out.closes.push_back(
        {*person.connection, ban ? v1::CLOSE_CODE_BANNED : v1::CLOSE_CODE_DENIED,
         ban ? "banned from the session by a facilitator" : "a facilitator did not admit you"});
  }
  const identity who = person.who;
  lobby_.remove(person.id);
  if (ban) {
    impose_ban(out, actor, who, now);
  }
}

void room::step_out(effects& out, member& target, time_ms now) {
  const connection_id conn = *target.connection;
  depart(out, target, v1::LEAVE_REASON_STEPPED_OUT, now);
  target.held = v1::WAIT_REASON_STEPPED_OUT;  // also if they leave and come back
  out.to_lobby.push_back({conn, out.events.size()});
  waiting_person& person = lobby_.add(target.who, v1::WAIT_REASON_STEPPED_OUT, now, target.id);
  person.connection = conn;
  out.lobby_notices.push_back({conn, lobby_.status_of(person)});
}

effects room::lobby_disconnect(waiting_person& person, time_ms now) {
  effects out;
  person.connection.reset();
  person.grace_deadline = now + limits_.reconnect_grace;
  emit_lobby(out, now);
  return out;
}

effects room::lobby_leave(waiting_person& person, time_ms now) {
  effects out;
  lobby_.remove(person.id);
  emit_lobby(out, now);
  out.reply.emplace();
  out.reply->mutable_leave();
  return out;
}

void room::expire_lobby(effects& out, time_ms now) {
  const auto expired = lobby_.expired(now);
  for (const auto id : expired) {
    lobby_.remove(id);
  }
  if (!expired.empty()) {
    emit_lobby(out, now);
  }
}

void room::emit_lobby(effects& out, time_ms now) {
  const v1::LobbyState state = lobby_state(now);
  for (member* f : roster_.facilitators()) {
    v1::Event e;
    *e.mutable_lobby_changed()->mutable_lobby() = state;
    emit_direct(out, *f, std::move(e), now);
  }
}

std::string room::check_lobby() const {
  for (const waiting_person* person : lobby_.people()) {
    if (bans_.banned(person->who.subject)) {
      return "a banned identity waits in the lobby";
    }
    if (is_facilitator(person->who.role)) {
      return "a facilitator waits in the lobby";
    }
    const member* m = nullptr;
    for (const member* active : roster_.active_members()) {
      if (active->who.subject == person->who.subject) {
        m = active;
      }
    }
    if (m != nullptr) {
      return "a member of the room also waits in the lobby";
    }
  }
  for (const member* m : roster_.active_members()) {
    if (bans_.banned(m->who.subject)) {
      return "a banned identity is in the room";
    }
  }
  if (ended_ && lobby_.size() != 0) {
    return "an ended session still has people waiting";
  }
  return {};
}

}  // namespace hearth::core
