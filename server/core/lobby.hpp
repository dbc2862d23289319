// Who may enter a room and who waits: the session's admission plan, the
// people waiting in the lobby and the identities banned from the session.
// Plain data with its bookkeeping; the room applies the rules
// (room_lobby.cpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/types.hpp"
#include "hearth/v1/lobby.pb.h"
#include "hearth/v1/room.pb.h"

namespace hearth::core {

// What the session's plan says about entering and chat. A room without a
// planned session gets the server's defaults.
struct session_plan {
  v1::LobbyPolicy policy = v1::LOBBY_POLICY_OPEN;
  bool admit_before_facilitator = true;
  std::unordered_set<std::string> roster;  // subjects on the session's roster
  // Family members on the roster: the subject of the participant each
  // accompanies (breakout rooms by family keep them together).
  std::unordered_map<std::string, std::string> accompanies;
  v1::ChatPolicy chat_policy = v1::CHAT_POLICY_ROOM;
  bool keep_chat = false;  // room chat is stored (effects::kept_chat)
};

// A session's consent for one observer to be present (42 CFR Part 2).
struct observer_consent {
  std::string method;  // admin_api, attested
  time_ms granted_at = 0;
  std::optional<time_ms> expires_at;
  std::optional<time_ms> revoked_at;
};

v1::ConsentState consent_state(const observer_consent* consent, time_ms now);

struct waiting_person {
  std::uint32_t id = 0;
  identity who;
  time_ms since = 0;
  v1::WaitReason reason = v1::WAIT_REASON_ADMISSION;
  std::optional<connection_id> connection;  // empty while dropped
  time_ms grace_deadline = 0;               // meaningful while dropped
  member_id former = 0;                     // their member id, if they were in the room before
};

class lobby {
 public:
  waiting_person& add(const identity& who, v1::WaitReason reason, time_ms now, member_id former);
  void remove(std::uint32_t id);

  waiting_person* find(std::uint32_t id);
  const waiting_person* find(std::uint32_t id) const;
  waiting_person* find_by_subject(const std::string& subject);
  waiting_person* find_by_connection(connection_id conn);

  // In arrival order.
  std::vector<waiting_person*> people();
  std::vector<const waiting_person*> people() const;
  std::size_t size() const { return people_.size(); }

  std::optional<time_ms> earliest_grace_deadline() const;
  std::vector<std::uint32_t> expired(time_ms now) const;

  const std::string& message() const { return message_; }
  void set_message(std::string text) { message_ = std::move(text); }

  v1::LobbyState to_wire(const session_plan& plan) const;
  v1::LobbyStatus status_of(const waiting_person& person) const;

 private:
  std::map<std::uint32_t, waiting_person> people_;  // ids grow: map order is arrival order
  std::string message_;
  std::uint32_t next_id_ = 1;
};

struct ban {
  std::uint32_t id = 0;
  std::string subject;
  std::string display_name;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  time_ms at = 0;
};

class ban_list {
 public:
  // Bans `who` unless already banned; returns the ban and whether it is new.
  std::pair<const ban*, bool> add(const std::string& subject, const std::string& display_name,
                                  v1::Role role, time_ms at);
  const ban* find(std::uint32_t id) const;
  bool banned(const std::string& subject) const;
  void lift(std::uint32_t id);
  std::vector<v1::BannedPerson> to_wire() const;

 private:
  std::map<std::uint32_t, ban> bans_;
  std::uint32_t next_id_ = 1;
};

// "everyone_waits", "roster_enters", "open" (the admin API's words) to the
// policy; empty for anything else.
std::optional<v1::LobbyPolicy> lobby_policy_from(const std::string& word);
// "room", "facilitators_only", "off" to the chat policy; empty for anything else.
std::optional<v1::ChatPolicy> chat_policy_from(const std::string& word);

}  // namespace hearth::core
