// Hearth access tokens: compact JWS (header.payload.signature, base64url) signed
// with HMAC-SHA256 by the server's key. The algorithm is pinned: a token whose
// header names anything but HS256 with our key id is rejected before its
// signature is even computed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/signing_key.hpp"

namespace hearth::auth {

// The roles a token can grant; names match the wire's Role enum
// ("facilitator", "co_facilitator", "participant", "family_member", "observer").
enum class role : std::uint8_t {
  facilitator,
  co_facilitator,
  participant,
  family_member,
  observer
};

std::string_view role_name(role r);
std::optional<role> parse_role(std::string_view name);

struct claims {
  std::string subject;       // sub: identity in the clinic's systems
  std::string display_name;  // name
  std::string room;          // room: the one room this token admits to
  auth::role role = role::participant;
  std::string issuer;           // iss
  std::string audience;         // aud
  std::string token_id;         // jti
  std::int64_t issued_at = 0;   // iat, seconds since the Unix epoch
  std::int64_t not_before = 0;  // nbf
  std::int64_t expires_at = 0;  // exp
};

enum class token_error : std::uint8_t {
  none,
  oversize,       // longer than verify_options::max_bytes
  malformed,      // not three base64url parts, bad JSON, wrong claim types
  bad_algorithm,  // alg is not HS256 (including "none")
  unknown_key,    // kid is not ours
  bad_signature,  // signature does not match (tampered)
  missing_claim,  // a required claim is absent or empty
  bad_role,       // role claim names no known role
  wrong_issuer,
  wrong_audience,
  expired,        // exp in the past (beyond leeway)
  not_yet_valid,  // nbf in the future (beyond leeway)
};

std::string_view token_error_name(token_error e);

struct verify_options {
  std::string issuer = "hearthd";
  std::string audience = "hearth";
  std::int64_t now = 0;          // seconds since the Unix epoch (wall clock)
  std::int64_t leeway = 30;      // seconds of tolerated clock skew for exp/nbf
  std::size_t max_bytes = 4096;  // longer tokens are rejected unparsed
};

struct verify_result {
  token_error error = token_error::none;
  claims value;  // meaningful only when error == none
  bool ok() const { return error == token_error::none; }
};

// Pure apart from HMAC; safe to call concurrently from any thread.
verify_result verify_token(std::string_view token, const signing_key& key,
                           const verify_options& options);

// Signs `c` as given (the caller fills iat/nbf/exp/jti).
std::string mint_token(const claims& c, const signing_key& key);

}  // namespace hearth::auth
