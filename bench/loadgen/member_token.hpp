// The token a generated member joins with, signed with the server's own key
// (the generator shares its data directory).
#pragma once

#include <cstdint>
#include <string>

#include "auth/signing_key.hpp"

namespace hearth::bench {

// Member `index` of room `room`; a room's lead joins as its facilitator.
std::string member_token(const auth::signing_key& key, std::uint32_t index, std::uint32_t room,
                         bool lead);

}  // namespace hearth::bench
