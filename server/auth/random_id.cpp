// Random identifiers.
#include "auth/random_id.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace hearth::auth {

std::string random_hex_id(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    throw std::runtime_error("no randomness available");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (const unsigned char c : raw) {
    out += hex[c >> 4U];
    out += hex[c & 0xFU];
  }
  return out;
}

}  // namespace hearth::auth
