// A room's last chat messages, kept for the snapshot a joining member gets.
// Bounded by count and by the bytes their texts hold: a room of long messages
// holds no more than one of short ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/ring.hpp"
#include "hearth/v1/room.pb.h"

namespace hearth::core {

class recent_chats {
 public:
  recent_chats(std::uint32_t max_messages, std::size_t max_bytes)
      : max_messages_(max_messages), max_bytes_(max_bytes) {}

  // Keeps a copy of `message`, numbered `seq`, as the newest, dropping the oldest
  // until both bounds hold. A text larger than the byte bound on its own is
  // not kept, and neither is anything before it: what is kept is always the
  // room's latest chats, with no gap.
  void keep(const v1::ChatMessage& message, std::uint32_t seq);
  // Forgets the message with this seq (a facilitator deleted it).
  void erase(std::uint32_t seq);

  std::size_t size() const { return kept_.size(); }
  // What the kept texts hold, their buffers' capacity: a text copied into a
  // reused message keeps the larger buffer of the one before.
  std::size_t bytes() const { return bytes_; }
  auto begin() const { return kept_.begin(); }
  auto end() const { return kept_.end(); }
  // Empty when both bounds hold and the bytes are counted right.
  std::string check_bounds() const;

 private:
  static std::size_t held(const v1::ChatMessage& message) { return message.text().capacity(); }
  void drop_oldest();
  std::size_t held_by_all() const;

  ring<v1::ChatMessage> kept_;
  std::uint32_t max_messages_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
};

}  // namespace hearth::core
