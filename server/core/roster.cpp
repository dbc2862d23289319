// The people of one room.
#include "core/roster.hpp"

#include <algorithm>
#include <cctype>

namespace hearth::core {

bool is_facilitator(v1::Role role) {
  return role == v1::ROLE_FACILITATOR || role == v1::ROLE_CO_FACILITATOR;
}

std::string role_label(v1::Role role) {
  const std::string& name = v1::Role_Name(role);  // e.g. "ROLE_FAMILY_MEMBER"
  const std::string prefix = "ROLE_";
  if (role == v1::ROLE_UNSPECIFIED || name.rfind(prefix, 0) != 0) {
    return "unknown";
  }
  std::string label = name.substr(prefix.size());
  for (char& c : label) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return label;
}

member* roster::find_by_subject(const std::string& subject) {
  auto it = by_subject_.find(subject);
  return it == by_subject_.end() ? nullptr : find(it->second);
}

const member* roster::find_by_subject(const std::string& subject) const {
  auto it = by_subject_.find(subject);
  return it == by_subject_.end() ? nullptr : find(it->second);
}

namespace {

template <typename Table>
auto lower_bound_of(Table& table, connection_id conn) {
  return std::lower_bound(table.begin(), table.end(), conn,
                          [](const auto& entry, connection_id c) { return entry.first < c; });
}

}  // namespace

member* roster::find_by_connection(connection_id conn) {
  auto it = lower_bound_of(by_connection_, conn);
  return it == by_connection_.end() || it->first != conn ? nullptr : find(it->second);
}

member* roster::find(member_id id) {
  return id == 0 || id > members_.size() ? nullptr : members_[id - 1].get();
}

const member* roster::find(member_id id) const {
  return id == 0 || id > members_.size() ? nullptr : members_[id - 1].get();
}

member& roster::add(const identity& who, time_ms now) {
  const auto id = static_cast<member_id>(members_.size() + 1);
  member& m = *members_.emplace_back(std::make_unique<member>());
  ++active_;  // a new member is present
  m.id = id;
  m.who = who;
  m.token_role = who.role;
  m.joined_at = now;
  by_subject_[who.subject] = id;
  return m;
}

member_id roster::reserve(const std::string& subject) {
  if (const member* m = find_by_subject(subject)) {
    return m->id;
  }
  identity who;
  who.subject = subject;
  who.role = v1::ROLE_UNSPECIFIED;
  member& m = add(who, 0);
  set_presence(m, v1::PRESENCE_LEFT);
  return m.id;
}

void roster::bind(member& m, connection_id conn) {
  unbind(m);
  m.connection = conn;
  auto it = lower_bound_of(by_connection_, conn);
  if (it != by_connection_.end() && it->first == conn) {
    it->second = m.id;
  } else {
    by_connection_.insert(it, {conn, m.id});
  }
}

void roster::set_presence(member& m, v1::Presence presence) {
  reconnecting_ -= m.presence == v1::PRESENCE_RECONNECTING ? 1U : 0U;
  active_ -= m.presence != v1::PRESENCE_LEFT ? 1U : 0U;
  m.presence = presence;
  reconnecting_ += m.presence == v1::PRESENCE_RECONNECTING ? 1U : 0U;
  active_ += m.presence != v1::PRESENCE_LEFT ? 1U : 0U;
}

void roster::unbind(member& m) {
  if (m.connection) {
    auto it = lower_bound_of(by_connection_, *m.connection);
    if (it != by_connection_.end() && it->first == *m.connection) {
      by_connection_.erase(it);
    }
    m.connection.reset();
  }
}

std::uint32_t roster::active_count() const { return active_; }

bool roster::counts_hold() const {
  std::uint32_t active = 0;
  std::uint32_t reconnecting = 0;
  for (const auto& entry : members_) {
    active += entry->presence != v1::PRESENCE_LEFT ? 1U : 0U;
    reconnecting += entry->presence == v1::PRESENCE_RECONNECTING ? 1U : 0U;
  }
  return active == active_ && reconnecting == reconnecting_;
}

std::vector<const member*> roster::active_members() const {
  std::vector<const member*> out;
  for (const auto& entry : members_) {
    const member& m = *entry;
    if (m.presence != v1::PRESENCE_LEFT) {
      out.push_back(&m);
    }
  }
  return out;
}

std::vector<member*> roster::active_members() {
  std::vector<member*> out;
  for (auto& entry : members_) {
    member& m = *entry;
    if (m.presence != v1::PRESENCE_LEFT) {
      out.push_back(&m);
    }
  }
  return out;
}

std::vector<member*> roster::facilitators() {
  std::vector<member*> out;
  for (auto& entry : members_) {
    member& m = *entry;
    if (m.presence != v1::PRESENCE_LEFT && is_facilitator(m.who.role)) {
      out.push_back(&m);
    }
  }
  return out;
}

std::optional<time_ms> roster::earliest_grace_deadline() const {
  std::optional<time_ms> earliest;
  if (reconnecting_ == 0) {
    return earliest;
  }
  for (const auto& entry : members_) {
    const member& m = *entry;
    if (m.presence == v1::PRESENCE_RECONNECTING && (!earliest || m.grace_deadline < *earliest)) {
      earliest = m.grace_deadline;
    }
  }
  return earliest;
}

std::vector<member*> roster::expired_graces(time_ms now) {
  std::vector<member*> out;
  for (auto& entry : members_) {
    member& m = *entry;
    if (m.presence == v1::PRESENCE_RECONNECTING && m.grace_deadline <= now) {
      out.push_back(&m);
    }
  }
  return out;
}

}  // namespace hearth::core
