#include "payload.hpp"

namespace hearth::bench {
namespace {

constexpr char digits[] = "0123456789abcdef";

void put_hex(std::uint64_t value, unsigned width, char* out) {
  for (unsigned i = 0; i < width; ++i) {
    out[width - 1 - i] = digits[value & 0xfU];
    value >>= 4U;
  }
}

bool get_hex(std::string_view text, std::uint64_t& value) {
  value = 0;
  for (const char c : text) {
    unsigned nibble = 0;
    if (c >= '0' && c <= '9') {
      nibble = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      nibble = static_cast<unsigned>(c - 'a' + 10);
    } else {
      return false;
    }
    value = (value << 4U) | nibble;
  }
  return true;
}

}  // namespace

void write_payload(const stamp& s, std::size_t size, std::string& out) {
  out.assign(size, 'x');
  out[0] = 'T';
  put_hex(s.scheduled_ns, 16, &out[1]);
  put_hex(s.sender, 8, &out[17]);
  put_hex(s.sequence, 8, &out[25]);
}

std::optional<stamp> read_payload(std::string_view bytes) {
  if (bytes.size() < stamp_bytes || bytes[0] != 'T') {
    return std::nullopt;
  }
  std::uint64_t scheduled = 0;
  std::uint64_t sender = 0;
  std::uint64_t sequence = 0;
  if (!get_hex(bytes.substr(1, 16), scheduled) || !get_hex(bytes.substr(17, 8), sender) ||
      !get_hex(bytes.substr(25, 8), sequence)) {
    return std::nullopt;
  }
  return stamp{scheduled, static_cast<std::uint32_t>(sender), static_cast<std::uint32_t>(sequence)};
}

}  // namespace hearth::bench
