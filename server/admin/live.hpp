// What the admin API may learn about a session that is running now: who is
// present (by subject and role, no names), and the floor's shape. No content.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace hearth::admin {

struct live_member {
  std::uint32_t member_id = 0;
  std::string subject;
  std::string role;      // facilitator, participant, ...
  std::string presence;  // present, reconnecting
};

struct live_waiting {
  std::string subject;
  std::string role;
  std::int64_t since_ms = 0;  // wall clock
  bool connected = true;      // false: dropped, keeping their place for the grace period
};

struct live_summary {
  std::vector<live_member> members;   // present or reconnecting, in join order
  std::vector<live_waiting> waiting;  // in the lobby, in arrival order
  std::string floor_mode;             // open, moderated, round, talking_piece
  std::uint32_t floor_holder = 0;     // member id; 0 when the floor is free
  std::size_t hands_raised = 0;
  bool round_running = false;
};

// Implemented by the network shell, which owns the rooms.
class live_source {
 public:
  virtual ~live_source() = default;
  // nullopt when no room with that id is open on this server.
  virtual std::optional<live_summary> live(const std::string& session) = 0;
  // An observer's consent for `session` changed and is committed: the open
  // room, if any, applies it at once (a revocation removes the observer).
  // Returns without waiting for the room.
  virtual void consent_changed(const std::string& session, const store::consent_record& record) = 0;
};

}  // namespace hearth::admin
