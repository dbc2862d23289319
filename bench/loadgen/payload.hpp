// The bytes every contestant relays: an ASCII stamp (scheduled send time,
// sender, sequence) padded to the payload size. ASCII so the same payload is
// valid as Hearth chat text, a socket.io string and a raw binary frame.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hearth::bench {

struct stamp {
  std::uint64_t scheduled_ns = 0;  // on the generator's monotonic clock
  std::uint32_t sender = 0;
  std::uint32_t sequence = 0;
};

constexpr std::size_t stamp_bytes = 33;  // 'T' + 16 + 8 + 8 hex digits

// Writes the stamp then padding into `out`, resized to `size` (>= stamp_bytes).
void write_payload(const stamp& s, std::size_t size, std::string& out);
std::optional<stamp> read_payload(std::string_view bytes);

}  // namespace hearth::bench
