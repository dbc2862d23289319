// How a session's participants and family members are divided among
// breakout rooms: by the facilitator's hand, one room per family, or into a
// number of rooms as even as families allow. Refusals are typed replies.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/room.hpp"

namespace hearth::core {
namespace {

// Who an even or a by-family split divides; a plan by hand may name anyone.
bool joins_breakouts(const member& m) {
  return m.who.role == v1::ROLE_PARTICIPANT || m.who.role == v1::ROLE_FAMILY_MEMBER;
}

}  // namespace

std::vector<std::vector<member_id>> room::split(const v1::OpenBreakouts& open, v1::Reply& refused) {
  std::vector<std::vector<member_id>> rooms;
  const auto too_many = [&] {
    refused = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED,
                          "at most " + std::to_string(limits_.max_breakouts) + " breakout rooms");
    return std::vector<std::vector<member_id>>{};
  };
  if (open.split() == v1::BREAKOUT_SPLIT_BY_HAND ||
      open.split() == v1::BREAKOUT_SPLIT_UNSPECIFIED) {
    if (open.rooms_size() == 0) {
      refused = error_reply(v1::ERROR_CODE_BAD_REQUEST, "name at least one breakout room");
      return rooms;
    }
    if (static_cast<std::uint32_t>(open.rooms_size()) > limits_.max_breakouts) {
      return too_many();
    }
    std::unordered_set<member_id> seen;
    for (const auto& plan : open.rooms()) {
      auto& ids = rooms.emplace_back();
      for (member_id id : plan.member_ids()) {
        const member* m = roster_.find(id);
        if (m == nullptr || m->presence == v1::PRESENCE_LEFT) {
          refused = error_reply(v1::ERROR_CODE_NOT_FOUND, "the plan names someone not in the room");
          return {};
        }
        if (!seen.insert(id).second) {
          refused = error_reply(v1::ERROR_CODE_BAD_REQUEST, "the plan names someone twice");
          return {};
        }
        ids.push_back(id);
      }
    }
    return rooms;
  }
  if (open.split() != v1::BREAKOUT_SPLIT_EVEN && open.split() != v1::BREAKOUT_SPLIT_BY_FAMILY) {
    refused = error_reply(v1::ERROR_CODE_BAD_REQUEST, "unknown breakout split");
    return rooms;
  }
  // Family units in roster order: a participant with the family members who
  // accompany them; family members whose participant is not here stay together.
  std::vector<std::vector<member_id>> units;
  std::unordered_map<std::string, std::size_t> unit_of;  // by the participant's subject
  for (const member* m : roster_.active_members()) {
    if (!joins_breakouts(*m)) {
      continue;
    }
    std::string head = m->who.subject;
    if (m->who.role == v1::ROLE_FAMILY_MEMBER) {
      auto it = plan_.accompanies.find(m->who.subject);
      head = it == plan_.accompanies.end() ? m->who.subject : it->second;
    }
    auto [it, added] = unit_of.try_emplace(head, units.size());
    if (added) {
      units.emplace_back();
    }
    units[it->second].push_back(m->id);
  }
  if (units.empty()) {
    refused = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                          "no participants or family members to send to breakout rooms");
    return rooms;
  }
  if (open.split() == v1::BREAKOUT_SPLIT_BY_FAMILY) {
    if (units.size() > limits_.max_breakouts) {
      return too_many();
    }
    return units;
  }
  if (open.count() == 0) {
    refused = error_reply(v1::ERROR_CODE_BAD_REQUEST, "say how many breakout rooms");
    return rooms;
  }
  if (open.count() > limits_.max_breakouts) {
    return too_many();
  }
  // Largest units first, each into the emptiest room (the first of equals):
  // families stay together and rooms come out as even as they can be.
  std::stable_sort(units.begin(), units.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  rooms.resize(open.count());
  for (auto& unit : units) {
    auto emptiest = std::min_element(rooms.begin(), rooms.end(), [](const auto& a, const auto& b) {
      return a.size() < b.size();
    });
    emptiest->insert(emptiest->end(), unit.begin(), unit.end());
  }
  return rooms;
}

}  // namespace hearth::core
