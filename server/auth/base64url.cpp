// Base64url without padding. Non-canonical input (stray low bits in the last
// character) is rejected so that a tampered signature can never decode to the
// same bytes as the original.
#include "auth/base64url.hpp"

#include <array>

namespace hearth::auth {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  table.fill(invalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr std::array<std::uint8_t, 256> decode_table = make_decode_table();

std::string encode(const std::uint8_t* data, std::size_t size) {
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                            std::uint32_t{data[i + 2]};
    out.push_back(alphabet[(n >> 18) & 0x3f]);
    out.push_back(alphabet[(n >> 12) & 0x3f]);
    out.push_back(alphabet[(n >> 6) & 0x3f]);
    out.push_back(alphabet[n & 0x3f]);
  }
  const std::size_t rest = size - i;
  if (rest == 1) {
    const std::uint32_t n = std::uint32_t{data[i]} << 16;
    out.push_back(alphabet[(n >> 18) & 0x3f]);
    out.push_back(alphabet[(n >> 12) & 0x3f]);
  } else if (rest == 2) {
    const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    out.push_back(alphabet[(n >> 18) & 0x3f]);
    out.push_back(alphabet[(n >> 12) & 0x3f]);
    out.push_back(alphabet[(n >> 6) & 0x3f]);
  }
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  // Reading chars as unsigned bytes is the intent: the input is raw octets.
  return encode(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

std::string base64url_encode(std::span<const std::uint8_t> bytes) {
  return encode(bytes.data(), bytes.size());
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  unsigned bits = 0;
  for (const char c : text) {
    const std::uint8_t v = decode_table[static_cast<unsigned char>(c)];
    if (v == invalid) {
      return std::nullopt;
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
      acc &= (1U << bits) - 1U;
    }
  }
  // Leftover bits (2 or 4) are padding inside the last character and must be zero.
  if (acc != 0) {
    return std::nullopt;
  }
  return out;
}

}  // namespace hearth::auth
