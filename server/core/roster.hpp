// The people of one room: identity, presence and which connection is theirs.
// Members are never erased while the room lives, so member ids stay stable
// across leave and rejoin.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/types.hpp"
#include "hearth/v1/lobby.pb.h"

namespace hearth::core {

struct member {
  member_id id = 0;
  identity who;  // who.role is the current role (SetRole changes it for this presence)
  v1::Role token_role = v1::ROLE_UNSPECIFIED;    // the role the token grants
  v1::Presence presence = v1::PRESENCE_PRESENT;  // written only through roster::set_presence
  time_ms joined_at = 0;
  std::optional<connection_id> connection;  // set while present
  time_ms dropped_at = 0;                   // meaningful while reconnecting
  time_ms grace_deadline = 0;               // meaningful while reconnecting
  std::uint32_t direct_seq = 0;             // head of this member's direct stream
  std::uint32_t place = 0;  // the room of the session they are in: 0 main, else a breakout
  // Moderation: kept for the room's life, across reconnects, leave and rejoin.
  bool chat_muted = false;
  bool floor_muted = false;
  bool may_unmute_self = false;  // only while muted
  // Removed or stepped out by a facilitator: why their next entry, by any
  // connection, goes through the lobby (WAIT_REASON_UNSPECIFIED: it need not).
  v1::WaitReason held = v1::WAIT_REASON_UNSPECIFIED;
};

class roster {
 public:
  member* find_by_subject(const std::string& subject);
  const member* find_by_subject(const std::string& subject) const;
  member* find_by_connection(connection_id conn);
  member* find(member_id id);
  const member* find(member_id id) const;

  // Adds a new member with the next id.
  member& add(const identity& who, time_ms now);
  // The id of `subject`: theirs if known, else a new member who has not
  // entered (presence LEFT, no role), so that records kept across a restart
  // (worksheet owners and authors) name the same member when they come.
  member_id reserve(const std::string& subject);

  void bind(member& m, connection_id conn);
  void unbind(member& m);
  // The roster counts active and reconnecting members: the emptiness and
  // wake-up checks made after every command then walk nobody.
  void set_presence(member& m, v1::Presence presence);

  // Present or reconnecting.
  std::uint32_t active_count() const;
  // Whether the kept counts match a walk of the members (a rule the room checks).
  bool counts_hold() const;
  std::vector<const member*> active_members() const;
  std::vector<member*> active_members();
  std::vector<member*> facilitators();

  // Earliest grace deadline among reconnecting members.
  std::optional<time_ms> earliest_grace_deadline() const;
  std::vector<member*> expired_graces(time_ms now);

 private:
  // members_[id - 1]: ids are dense from 1 and never reused, so the vector is
  // in join order and a lookup is an index. Each member has its own block so
  // that references stay valid as the roster grows.
  std::vector<std::unique_ptr<member>> members_;
  std::unordered_map<std::string, member_id> by_subject_;
  // Sorted by connection id: a room's few dozen entries fit in a few cache
  // lines, which a hash map's buckets and nodes (looked up on every command)
  // do not. Connection ids grow, so a bind usually appends.
  std::vector<std::pair<connection_id, member_id>> by_connection_;
  std::uint32_t active_ = 0;  // present or reconnecting
  std::uint32_t reconnecting_ = 0;
};

}  // namespace hearth::core
