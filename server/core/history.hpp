// A bounded history of already-serialized sequenced events, for resume. Bounded
// both by count and by bytes; the oldest entries go first. Entries are the exact
// bytes sent live, so a replay never re-encodes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/ring.hpp"
#include "core/shared_bytes.hpp"

namespace hearth::core {

class history_ring {
 public:
  history_ring(std::size_t max_events, std::size_t max_bytes)
      : max_events_(max_events), max_bytes_(max_bytes) {}

  // `seq` must be exactly one more than the previous append's.
  void append(std::uint32_t seq, shared_bytes bytes);

  // True when every event after `last_seq` up to the head is held, so a client
  // that saw `last_seq` can be brought up to date by replay alone.
  bool covers(std::uint32_t last_seq, std::uint32_t head_seq) const;

  // The events after `last_seq`, oldest first. Call only when covers() holds.
  std::vector<shared_bytes> after(std::uint32_t last_seq) const;
  // The total size of after(last_seq).
  std::size_t bytes_after(std::uint32_t last_seq) const;

  std::size_t size() const { return entries_.size(); }
  std::size_t bytes() const { return bytes_; }

 private:
  struct entry {
    std::uint32_t seq;
    shared_bytes bytes;
  };
  ring<entry> entries_;
  std::size_t max_events_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
};

}  // namespace hearth::core
