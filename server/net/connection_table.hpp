// The connections of one room's members, keyed by connection id, in one
// contiguous array: every room event walks all of them, and a room holds at
// most a few dozen, so a linear lookup on join and leave costs less than the
// node hopping of a hash map on every fan-out.
#pragma once

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "core/types.hpp"
#include "net/connection.hpp"

namespace hearth::net {

class connection_table {
 public:
  using entry = std::pair<core::connection_id, std::shared_ptr<connection>>;
  using iterator = std::vector<entry>::iterator;
  using const_iterator = std::vector<entry>::const_iterator;

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  bool empty() const { return entries_.empty(); }

  iterator find(core::connection_id id) {
    return std::find_if(entries_.begin(), entries_.end(),
                        [id](const entry& e) { return e.first == id; });
  }
  bool contains(core::connection_id id) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [id](const entry& e) { return e.first == id; });
  }

  // Adds or replaces the connection with this id.
  void put(core::connection_id id, std::shared_ptr<connection> conn) {
    auto it = find(id);
    if (it != end()) {
      it->second = std::move(conn);
    } else {
      entries_.emplace_back(id, std::move(conn));
    }
  }

  // Order is not kept: the last entry takes the erased one's place.
  void erase(iterator it) {
    if (it != std::prev(entries_.end())) {
      *it = std::move(entries_.back());
    }
    entries_.pop_back();
  }
  std::size_t erase(core::connection_id id) {
    auto it = find(id);
    if (it == end()) {
      return 0;
    }
    erase(it);
    return 1;
  }

 private:
  std::vector<entry> entries_;
};

}  // namespace hearth::net
