// Minting and verifying Hearth access tokens (compact JWS, HS256). Checks run
// cheapest and most untrusted first: size, shape, header, signature, and only
// then the payload, whose contents are never interpreted unless authentic.
#include "auth/token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <initializer_list>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>

#include "auth/base64url.hpp"

namespace hearth::auth {
namespace {

namespace json = boost::json;

constexpr std::size_t mac_size = 32;  // HMAC-SHA256
using mac = std::array<unsigned char, mac_size>;

std::string_view view(const json::string& s) { return {s.data(), s.size()}; }

json::string_view to_json(std::string_view s) { return {s.data(), s.size()}; }

// Returns false only if OpenSSL fails internally (e.g. out of memory).
bool hmac_sha256(const signing_key& key, std::string_view data, mac& out) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_size = 0;
  const auto& k = key.bytes();
  // Reading chars as unsigned bytes is the intent: HMAC is over the raw text.
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (HMAC(EVP_sha256(), k.data(), static_cast<int>(k.size()), bytes, data.size(), md.data(),
           &md_size) == nullptr ||
      md_size != mac_size) {
    OPENSSL_cleanse(md.data(), md.size());
    return false;
  }
  std::copy_n(md.begin(), mac_size, out.begin());
  return true;
}

std::optional<json::object> parse_object(std::string_view part_b64) {
  const auto text = base64url_decode(part_b64);
  if (!text) return std::nullopt;
  json::error_code ec;
  json::value v = json::parse(to_json(*text), ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

// Required non-empty string claim: absent or empty is missing_claim, any
// other JSON type is malformed.
token_error read_string(const json::object& o, std::string_view name, std::string& out) {
  const json::value* v = o.if_contains(to_json(name));
  if (v == nullptr) return token_error::missing_claim;
  if (!v->is_string()) return token_error::malformed;
  if (v->get_string().empty()) return token_error::missing_claim;
  out.assign(view(v->get_string()));
  return token_error::none;
}

// Required integer claim (seconds). Boost.JSON stores integers above INT64_MAX
// as uint64 and anything with a fraction or exponent as double; neither fits.
token_error read_seconds(const json::object& o, std::string_view name, std::int64_t& out) {
  const json::value* v = o.if_contains(to_json(name));
  if (v == nullptr) return token_error::missing_claim;
  if (v->is_int64()) {
    out = v->get_int64();
    return token_error::none;
  }
  if (v->is_uint64() &&
      v->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    out = static_cast<std::int64_t>(v->get_uint64());
    return token_error::none;
  }
  return token_error::malformed;
}

// Saturating, so odd options can never overflow into accepting a token.
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return r;
}

std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) {
    return b < 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return r;
}

verify_result fail(token_error e) {
  verify_result r;
  r.error = e;
  return r;
}

token_error read_claims(const json::object& o, claims& c) {
  std::string role_text;
  const token_error errors[] = {
      read_string(o, "sub", c.subject),     read_string(o, "name", c.display_name),
      read_string(o, "room", c.room),       read_string(o, "role", role_text),
      read_string(o, "iss", c.issuer),      read_string(o, "aud", c.audience),
      read_string(o, "jti", c.token_id),    read_seconds(o, "iat", c.issued_at),
      read_seconds(o, "nbf", c.not_before), read_seconds(o, "exp", c.expires_at),
  };
  for (const token_error e : errors) {
    if (e != token_error::none) return e;
  }
  const auto r = parse_role(role_text);
  if (!r) return token_error::bad_role;
  c.role = *r;
  return token_error::none;
}

}  // namespace

std::string_view role_name(role r) {
  switch (r) {
    case role::facilitator:
      return "facilitator";
    case role::co_facilitator:
      return "co_facilitator";
    case role::participant:
      return "participant";
    case role::family_member:
      return "family_member";
    case role::observer:
      return "observer";
  }
  return "unknown";  // only reachable through a cast of an out-of-range value
}

std::optional<role> parse_role(std::string_view name) {
  for (const role r : {role::facilitator, role::co_facilitator, role::participant,
                       role::family_member, role::observer}) {
    if (role_name(r) == name) return r;
  }
  return std::nullopt;
}

std::string_view token_error_name(token_error e) {
  switch (e) {
    case token_error::none:
      return "none";
    case token_error::oversize:
      return "oversize";
    case token_error::malformed:
      return "malformed";
    case token_error::bad_algorithm:
      return "bad_algorithm";
    case token_error::unknown_key:
      return "unknown_key";
    case token_error::bad_signature:
      return "bad_signature";
    case token_error::missing_claim:
      return "missing_claim";
    case token_error::bad_role:
      return "bad_role";
    case token_error::wrong_issuer:
      return "wrong_issuer";
    case token_error::wrong_audience:
      return "wrong_audience";
    case token_error::expired:
      return "expired";
    case token_error::not_yet_valid:
      return "not_yet_valid";
  }
  return "unknown";
}

verify_result verify_token(std::string_view token, const signing_key& key,
                           const verify_options& options) {
  if (token.size() > options.max_bytes) return fail(token_error::oversize);

  const std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return fail(token_error::malformed);
  const std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return fail(token_error::malformed);
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);
  // An empty signature is let through to be judged by the header first, so
  // that the classic `{"alg":"none"}` token is reported as bad_algorithm.
  if (header_b64.empty() || payload_b64.empty()) return fail(token_error::malformed);

  const auto header = parse_object(header_b64);
  if (!header) return fail(token_error::malformed);
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || view(alg->get_string()) != "HS256") {
    return fail(token_error::bad_algorithm);
  }
  const json::value* kid = header->if_contains("kid");
  if (kid == nullptr || !kid->is_string() || view(kid->get_string()) != key.key_id()) {
    return fail(token_error::unknown_key);
  }

  const auto signature = base64url_decode(signature_b64);
  if (!signature) return fail(token_error::malformed);
  mac expected{};
  // An HMAC failure (out of memory) must fail closed.
  if (!hmac_sha256(key, token.substr(0, dot2), expected) || signature->size() != mac_size ||
      CRYPTO_memcmp(expected.data(), signature->data(), mac_size) != 0) {
    return fail(token_error::bad_signature);
  }

  const auto payload = parse_object(payload_b64);
  if (!payload) return fail(token_error::malformed);
  verify_result result;
  if (const token_error e = read_claims(*payload, result.value); e != token_error::none) {
    return fail(e);
  }
  const claims& c = result.value;
  if (c.issuer != options.issuer) return fail(token_error::wrong_issuer);
  if (c.audience != options.audience) return fail(token_error::wrong_audience);
  if (c.expires_at <= saturating_sub(options.now, options.leeway)) {
    return fail(token_error::expired);
  }
  if (c.not_before > saturating_add(options.now, options.leeway)) {
    return fail(token_error::not_yet_valid);
  }
  return result;
}

std::string mint_token(const claims& c, const signing_key& key) {
  // The header is fixed text: key ids are hex, so nothing needs escaping.
  const std::string header = R"({"alg":"HS256","typ":"JWT","kid":")" + key.key_id() + R"("})";
  json::object payload;
  payload.reserve(10);
  payload.emplace("sub", to_json(c.subject));
  payload.emplace("name", to_json(c.display_name));
  payload.emplace("room", to_json(c.room));
  payload.emplace("role", to_json(role_name(c.role)));
  payload.emplace("iss", to_json(c.issuer));
  payload.emplace("aud", to_json(c.audience));
  payload.emplace("jti", to_json(c.token_id));
  payload.emplace("iat", c.issued_at);
  payload.emplace("nbf", c.not_before);
  payload.emplace("exp", c.expires_at);

  std::string token = base64url_encode(header) + "." + base64url_encode(json::serialize(payload));
  mac signature{};
  if (!hmac_sha256(key, token, signature)) {
    throw std::runtime_error("cannot sign token: HMAC-SHA256 failed");
  }
  token += ".";
  token += base64url_encode(std::span<const std::uint8_t>(signature.data(), signature.size()));
  return token;
}

}  // namespace hearth::auth
