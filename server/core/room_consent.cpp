// Observers and their consent (42 CFR Part 2): an observer is admitted only
// while consent recorded for the session is valid, and leaves the room as
// soon as it is revoked or runs out.
#include <string>
#include <utility>

#include "core/room.hpp"

namespace hearth::core {

void room::restore_consent(const std::string& subject, observer_consent consent) {
  consents_[subject] = std::move(consent);
}

effects room::update_consent(const std::string& subject, observer_consent consent, time_ms now) {
  effects out;
  consents_[subject] = std::move(consent);
  const bool valid = consent_of(subject, now) == v1::CONSENT_STATE_VALID;
  member* m = roster_.find_by_subject(subject);
  if (!valid && m != nullptr && m->presence != v1::PRESENCE_LEFT &&
      m->who.role == v1::ROLE_OBSERVER) {
    withdraw_observer(out, *m,
                      consents_[subject].revoked_at ? "consent_revoked" : "consent_expired", now);
  }
  // Facilitators see whether someone waiting may now be admitted.
  if (waiting_person* waiting = lobby_.find_by_subject(subject);
      waiting != nullptr && waiting->who.role == v1::ROLE_OBSERVER) {
    emit_lobby(out, now);
  }
  return out;
}

v1::ConsentState room::consent_of(const std::string& subject, time_ms now) const {
  auto it = consents_.find(subject);
  return consent_state(it == consents_.end() ? nullptr : &it->second, now);
}

v1::LobbyState room::lobby_state(time_ms now) const {
  v1::LobbyState state = lobby_.to_wire(plan_);
  for (auto& w : *state.mutable_waiting()) {
    if (w.role() == v1::ROLE_OBSERVER) {
      w.set_consent(consent_of(lobby_.find(w.waiting_id())->who.subject, now));
    }
  }
  return state;
}

void room::withdraw_observer(effects& out, member& m, const std::string& why, time_ms now) {
  if (m.connection) {
    out.closes.push_back({*m.connection, v1::CLOSE_CODE_CONSENT_WITHDRAWN,
                          "the consent for your presence was withdrawn or ran out"});
  }
  depart(out, m, v1::LEAVE_REASON_CONSENT_WITHDRAWN, now);
  // The server acts here, not a person.
  out.audit.push_back(
      {{}, v1::ROLE_UNSPECIFIED, "observer_removed", m.who.subject, "ok", why, now});
}

void room::expire_consents(effects& out, time_ms now) {
  for (member* m : roster_.active_members()) {
    if (m->who.role == v1::ROLE_OBSERVER &&
        consent_of(m->who.subject, now) != v1::CONSENT_STATE_VALID) {
      withdraw_observer(out, *m, "consent_expired", now);
    }
  }
}

std::optional<time_ms> room::next_consent_expiry() const {
  // By consent, not by member: next_wake() runs after every command, and
  // most rooms have no observer.
  std::optional<time_ms> earliest;
  for (const auto& [subject, consent] : consents_) {
    if (!consent.expires_at || consent.revoked_at ||
        (earliest && *consent.expires_at >= *earliest)) {
      continue;
    }
    const member* m = roster_.find_by_subject(subject);
    if (m != nullptr && m->presence != v1::PRESENCE_LEFT && m->who.role == v1::ROLE_OBSERVER) {
      earliest = consent.expires_at;
    }
  }
  return earliest;
}

}  // namespace hearth::core
