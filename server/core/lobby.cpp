// The lobby's and the ban list's bookkeeping.
#include "core/lobby.hpp"

#include <algorithm>

namespace hearth::core {

waiting_person& lobby::add(const identity& who, v1::WaitReason reason, time_ms now,
                           member_id former) {
  const std::uint32_t id = next_id_++;
  auto& person = people_[id];
  person.id = id;
  person.who = who;
  person.since = now;
  person.reason = reason;
  person.former = former;
  return person;
}

void lobby::remove(std::uint32_t id) { people_.erase(id); }

waiting_person* lobby::find(std::uint32_t id) {
  auto it = people_.find(id);
  return it == people_.end() ? nullptr : &it->second;
}

const waiting_person* lobby::find(std::uint32_t id) const {
  auto it = people_.find(id);
  return it == people_.end() ? nullptr : &it->second;
}

waiting_person* lobby::find_by_subject(const std::string& subject) {
  // Linear: a lobby holds at most room_limits::max_waiting people.
  for (auto& [id, person] : people_) {
    if (person.who.subject == subject) {
      return &person;
    }
  }
  return nullptr;
}

waiting_person* lobby::find_by_connection(connection_id conn) {
  for (auto& [id, person] : people_) {
    if (person.connection == conn) {
      return &person;
    }
  }
  return nullptr;
}

std::vector<waiting_person*> lobby::people() {
  std::vector<waiting_person*> out;
  out.reserve(people_.size());
  for (auto& [id, person] : people_) {
    out.push_back(&person);
  }
  return out;
}

std::vector<const waiting_person*> lobby::people() const {
  std::vector<const waiting_person*> out;
  out.reserve(people_.size());
  for (const auto& [id, person] : people_) {
    out.push_back(&person);
  }
  return out;
}

std::optional<time_ms> lobby::earliest_grace_deadline() const {
  std::optional<time_ms> earliest;
  for (const auto& [id, person] : people_) {
    if (!person.connection && (!earliest || person.grace_deadline < *earliest)) {
      earliest = person.grace_deadline;
    }
  }
  return earliest;
}

std::vector<std::uint32_t> lobby::expired(time_ms now) const {
  std::vector<std::uint32_t> out;
  for (const auto& [id, person] : people_) {
    if (!person.connection && person.grace_deadline <= now) {
      out.push_back(id);
    }
  }
  return out;
}

v1::LobbyState lobby::to_wire(const session_plan& plan) const {
  v1::LobbyState state;
  for (const auto& [id, person] : people_) {
    auto* w = state.add_waiting();
    w->set_waiting_id(id);
    w->set_display_name(person.who.display_name);
    w->set_role(person.who.role);
    w->set_since_ms(static_cast<std::uint64_t>(person.since));
    w->set_reason(person.reason);
    w->set_connected(person.connection.has_value());
    w->set_member_id(person.former);
  }
  state.set_message(message_);
  state.set_policy(plan.policy);
  state.set_admit_before_facilitator(plan.admit_before_facilitator);
  return state;
}

v1::LobbyStatus lobby::status_of(const waiting_person& person) const {
  v1::LobbyStatus status;
  status.set_waiting_id(person.id);
  status.set_reason(person.reason);
  status.set_since_ms(static_cast<std::uint64_t>(person.since));
  status.set_message(message_);
  return status;
}

std::pair<const ban*, bool> ban_list::add(const std::string& subject,
                                          const std::string& display_name, v1::Role role,
                                          time_ms at) {
  for (const auto& [id, b] : bans_) {
    if (b.subject == subject) {
      return {&b, false};
    }
  }
  const std::uint32_t id = next_id_++;
  auto& b = bans_[id];
  b = {id, subject, display_name, role, at};
  return {&b, true};
}

const ban* ban_list::find(std::uint32_t id) const {
  auto it = bans_.find(id);
  return it == bans_.end() ? nullptr : &it->second;
}

bool ban_list::banned(const std::string& subject) const {
  return std::any_of(bans_.begin(), bans_.end(),
                     [&](const auto& entry) { return entry.second.subject == subject; });
}

void ban_list::lift(std::uint32_t id) { bans_.erase(id); }

std::vector<v1::BannedPerson> ban_list::to_wire() const {
  std::vector<v1::BannedPerson> out;
  for (const auto& [id, b] : bans_) {
    v1::BannedPerson wire;
    wire.set_ban_id(id);
    wire.set_display_name(b.display_name);
    wire.set_role(b.role);
    wire.set_banned_at_ms(static_cast<std::uint64_t>(b.at));
    out.push_back(std::move(wire));
  }
  return out;
}

std::optional<v1::LobbyPolicy> lobby_policy_from(const std::string& word) {
  if (word == "everyone_waits") {
    return v1::LOBBY_POLICY_EVERYONE_WAITS;
  }
  if (word == "roster_enters") {
    return v1::LOBBY_POLICY_ROSTER_ENTERS;
  }
  if (word == "open") {
    return v1::LOBBY_POLICY_OPEN;
  }
  return std::nullopt;
}

v1::ConsentState consent_state(const observer_consent* consent, time_ms now) {
  if (consent == nullptr) {
    return v1::CONSENT_STATE_NONE;
  }
  if (consent->revoked_at) {
    return v1::CONSENT_STATE_REVOKED;
  }
  if (consent->expires_at && *consent->expires_at <= now) {
    return v1::CONSENT_STATE_EXPIRED;
  }
  return v1::CONSENT_STATE_VALID;
}

std::optional<v1::ChatPolicy> chat_policy_from(const std::string& word) {
  if (word == "room") {
    return v1::CHAT_POLICY_ROOM;
  }
  if (word == "facilitators_only") {
    return v1::CHAT_POLICY_FACILITATORS_ONLY;
  }
  if (word == "off") {
    return v1::CHAT_POLICY_OFF;
  }
  return std::nullopt;
}

}  // namespace hearth::core
