// Safety rules of one room: who may raise a distress signal, who may write
// privately to whom, and the room's book of distress signals. Pure: the room
// asks and records here, then stamps and sends the events itself (room_safety.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/roster.hpp"
#include "hearth/v1/room.pb.h"

namespace hearth::core {

// Participants and family members; facilitators receive signals, observers only watch.
bool can_signal_distress(v1::Role role);

// CHAT_SCOPE_PRIVATE: a facilitator may write to anyone; everyone else only to
// a facilitator or co-facilitator.
bool may_write_privately(const member& from, const member& to);

struct distress_signal {
  std::uint32_t id = 0;
  member_id from = 0;
  time_ms raised_at = 0;
  member_id acknowledged_by = 0;  // 0 while open
  time_ms acknowledged_at = 0;

  bool open() const { return acknowledged_by == 0; }
};

v1::DistressSignal signal_to_wire(const distress_signal& signal);

class distress_book {
 public:
  // The open signal of `m`, if any.
  const distress_signal* open_of(member_id m) const;
  const distress_signal* find(std::uint32_t id) const;

  // Opens a signal of `from`, who has none open; numbered from 1.
  const distress_signal& raise(member_id from, time_ms now);
  // Closes the open signal `id`.
  const distress_signal& acknowledge(std::uint32_t id, member_id by, time_ms now);

  // Open signals, oldest first: every one for a facilitator, the viewer's
  // own for anyone else.
  std::vector<const distress_signal*> visible_to(const member& viewer) const;
  std::vector<const distress_signal*> open_signals() const;

  // The book's rules; the first one broken, or "" when all hold.
  std::string check_invariants(const roster& people) const;

 private:
  std::map<std::uint32_t, distress_signal> signals_;  // every signal, by id
  std::map<member_id, std::uint32_t> open_by_member_;
  std::uint32_t next_id_ = 1;
};

}  // namespace hearth::core
