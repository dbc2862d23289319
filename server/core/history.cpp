// Bounded replay history.
#include "core/history.hpp"

#include <cassert>

namespace hearth::core {

void history_ring::append(std::uint32_t seq, shared_bytes bytes) {
  assert(entries_.empty() || entries_.back().seq + 1 == seq);
  bytes_ += bytes.size();
  entries_.push_back({seq, std::move(bytes)});
  while (!entries_.empty() && (entries_.size() > max_events_ || bytes_ > max_bytes_)) {
    bytes_ -= entries_.front().bytes.size();
    entries_.pop_front();
  }
}

bool history_ring::covers(std::uint32_t last_seq, std::uint32_t head_seq) const {
  if (last_seq > head_seq) {
    return false;  // a position this room never reached: not ours
  }
  if (last_seq == head_seq) {
    return true;
  }
  // Need last_seq + 1 .. head_seq; the ring ends at head_seq when non-empty.
  return !entries_.empty() && entries_.back().seq == head_seq &&
         entries_.front().seq <= last_seq + 1;
}

std::vector<shared_bytes> history_ring::after(std::uint32_t last_seq) const {
  std::vector<shared_bytes> out;
  if (entries_.empty() || last_seq >= entries_.back().seq) {
    return out;
  }
  const std::uint32_t first = entries_.front().seq;
  const std::size_t skip = last_seq + 1 > first ? last_seq + 1 - first : 0;
  out.reserve(entries_.size() - skip);
  for (std::size_t i = skip; i < entries_.size(); ++i) {
    out.push_back(entries_[i].bytes);
  }
  return out;
}

std::size_t history_ring::bytes_after(std::uint32_t last_seq) const {
  std::size_t total = 0;
  for (auto it = entries_.rbegin(); it != entries_.rend() && it->seq > last_seq; ++it) {
    total += it->bytes.size();
  }
  return total;
}

}  // namespace hearth::core
