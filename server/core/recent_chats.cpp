#include "core/recent_chats.hpp"

#include <algorithm>

namespace hearth::core {

void recent_chats::keep(const v1::ChatMessage& message, std::uint32_t seq) {
  // A copied text holds at least a string's own small buffer.
  const std::size_t need = std::max(message.text().size(), std::string().capacity());
  if (max_messages_ == 0 || need > max_bytes_) {
    kept_.clear();
    bytes_ = 0;
    return;
  }
  while (!kept_.empty() && (kept_.size() >= max_messages_ || bytes_ + need > max_bytes_)) {
    // The oldest goes either way. When its text's buffer holds the new text
    // and is not much larger, its message takes the new one, saving an
    // allocation per chat, and the bytes held stay the same. A smaller buffer
    // would grow (to twice its size); a much larger one would stay in the
    // ring, counted in full, under a short text.
    const std::size_t oldest = held(kept_.front());
    if (need <= oldest && oldest <= 2 * need) {
      v1::ChatMessage& slot = kept_.recycle_front();
      slot = message;
      slot.set_seq(seq);
      return;
    }
    drop_oldest();
  }
  v1::ChatMessage& slot = kept_.emplace_back(message);
  slot.set_seq(seq);
  bytes_ += held(slot);
}

void recent_chats::erase(std::uint32_t seq) {
  if (kept_.erase_if([seq](const v1::ChatMessage& chat) { return chat.seq() == seq; }) > 0) {
    bytes_ = held_by_all();  // the survivors moved: count again (a rare, facilitator's command)
  }
}

std::string recent_chats::check_bounds() const {
  if (kept_.size() > max_messages_) {
    return "more chat messages kept for snapshots than their limit";
  }
  if (bytes_ != held_by_all()) {
    return "the bytes of the chat kept for snapshots are miscounted";
  }
  if (bytes_ > max_bytes_) {
    return "the chat kept for snapshots holds more bytes than its limit";
  }
  return {};
}

std::size_t recent_chats::held_by_all() const {
  std::size_t total = 0;
  for (const auto& chat : kept_) {
    total += held(chat);
  }
  return total;
}

void recent_chats::drop_oldest() {
  bytes_ -= held(kept_.front());
  kept_.pop_front();
}

}  // namespace hearth::core
