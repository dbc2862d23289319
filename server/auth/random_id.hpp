// Random identifiers (token ids, room epochs) from OpenSSL's CSPRNG.
#pragma once

#include <cstddef>
#include <string>

namespace hearth::auth {

// `bytes` random bytes as lowercase hex. Throws std::runtime_error if the
// generator fails.
std::string random_hex_id(std::size_t bytes);

}  // namespace hearth::auth
