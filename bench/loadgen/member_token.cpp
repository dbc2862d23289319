#include "member_token.hpp"

#include <chrono>

#include "auth/random_id.hpp"
#include "auth/token.hpp"
#include "member.hpp"

namespace hearth::bench {

std::string member_token(const auth::signing_key& key, std::uint32_t index, std::uint32_t room,
                         bool lead) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auth::claims c;
  c.subject = "bench-" + std::to_string(index);
  c.display_name = "Member " + std::to_string(index);
  c.room = room_name(room);
  c.role = lead ? auth::role::facilitator : auth::role::participant;
  c.issuer = "hearthd";
  c.audience = "hearth";
  c.token_id = auth::random_hex_id(8);
  c.issued_at = now;
  c.not_before = now;
  c.expires_at = now + 86400;
  return auth::mint_token(c, key);
}

}  // namespace hearth::bench
