// Safety rules and the book of distress signals.
#include "core/safety.hpp"

namespace hearth::core {

bool can_signal_distress(v1::Role role) {
  return role == v1::ROLE_PARTICIPANT || role == v1::ROLE_FAMILY_MEMBER;
}

bool may_write_privately(const member& from, const member& to) {
  return is_facilitator(from.who.role) || is_facilitator(to.who.role);
}

v1::DistressSignal signal_to_wire(const distress_signal& signal) {
  v1::DistressSignal wire;
  wire.set_signal_id(signal.id);
  wire.set_from_member_id(signal.from);
  wire.set_raised_at_ms(static_cast<std::uint64_t>(signal.raised_at));
  return wire;
}

const distress_signal* distress_book::open_of(member_id m) const {
  auto it = open_by_member_.find(m);
  return it == open_by_member_.end() ? nullptr : find(it->second);
}

const distress_signal* distress_book::find(std::uint32_t id) const {
  auto it = signals_.find(id);
  return it == signals_.end() ? nullptr : &it->second;
}

const distress_signal& distress_book::raise(member_id from, time_ms now) {
  const std::uint32_t id = next_id_++;
  distress_signal& signal = signals_[id];
  signal.id = id;
  signal.from = from;
  signal.raised_at = now;
  open_by_member_[from] = id;
  return signal;
}

const distress_signal& distress_book::acknowledge(std::uint32_t id, member_id by, time_ms now) {
  distress_signal& signal = signals_.at(id);
  signal.acknowledged_by = by;
  signal.acknowledged_at = now;
  open_by_member_.erase(signal.from);
  return signal;
}

std::vector<const distress_signal*> distress_book::open_signals() const {
  std::vector<const distress_signal*> out;
  for (const auto& [id, signal] : signals_) {
    if (signal.open()) {
      out.push_back(&signal);
    }
  }
  return out;
}

std::vector<const distress_signal*> distress_book::visible_to(const member& viewer) const {
  if (is_facilitator(viewer.who.role)) {
    return open_signals();
  }
  const distress_signal* own = open_of(viewer.id);
  return own == nullptr ? std::vector<const distress_signal*>{}
                        : std::vector<const distress_signal*>{own};
}

std::string distress_book::check_invariants(const roster& people) const {
  std::size_t open = 0;
  for (const auto& [id, signal] : signals_) {
    if (id != signal.id || id == 0 || id >= next_id_) {
      return "distress signal " + std::to_string(id) + " is misnumbered";
    }
    if (people.find(signal.from) == nullptr) {
      return "distress signal " + std::to_string(id) + " has no sender";
    }
    if (signal.open()) {
      ++open;
      auto it = open_by_member_.find(signal.from);
      if (it == open_by_member_.end() || it->second != id) {
        return "open distress signal " + std::to_string(id) + " is not its sender's open signal";
      }
    } else if (signal.acknowledged_at < signal.raised_at) {
      return "distress signal " + std::to_string(id) + " acknowledged before it was raised";
    }
  }
  if (open != open_by_member_.size()) {
    return "a member has more than one open distress signal, or a closed one counted as open";
  }
  return {};
}

}  // namespace hearth::core
