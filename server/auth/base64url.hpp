// Base64url (RFC 4648 section 5) without padding, as used by compact JWS.
// Decoding is strict so that every byte string has exactly one accepted text.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hearth::auth {

std::string base64url_encode(std::string_view bytes);
std::string base64url_encode(std::span<const std::uint8_t> bytes);

// Returns the decoded bytes, or nullopt if `text` holds anything but the 64
// alphabet characters (padding '=' included), has an impossible length
// (4n + 1), or has non-zero unused bits in its last character.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace hearth::auth
