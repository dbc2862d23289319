// Fuzz harness for access-token verification (server/auth), which reads the
// first thing an unauthenticated peer sends. Each input is used three ways:
// as a token; as header and payload JSON that the harness signs with the key
// (the claim checks only run behind a valid signature, which the fuzzer cannot
// forge); and as the recipe for claims that are minted, verified and then
// tampered with.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "auth/base64url.hpp"
#include "auth/token.hpp"
#include "fuzz_check.hpp"

namespace {

namespace auth = hearth::auth;
using hearth::fuzz::check;

constexpr std::int64_t now = 1'700'000'000;

// Fixed keys keep runs reproducible; tests/fuzz/make_corpus.py builds the
// same bytes to sign its seed tokens.
auth::signing_key make_key(std::uint8_t pattern) {
  std::array<std::uint8_t, auth::signing_key::size> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(pattern ^ i);
  }
  return auth::signing_key::from_bytes(bytes);
}

const auth::signing_key& key() {
  static const auth::signing_key k = make_key(0x5a);
  return k;
}

const auth::signing_key& other_key() {
  static const auth::signing_key k = make_key(0xa5);
  return k;
}

auth::verify_options options() {
  auth::verify_options o;
  o.now = now;
  return o;
}

// Computed here rather than through token.cpp, so that the check below does
// not trust the code it checks.
std::string signature_b64(std::string_view signed_part, const auth::signing_key& k) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(signed_part.data());
  check(HMAC(EVP_sha256(), k.bytes().data(), static_cast<int>(k.bytes().size()), bytes,
             signed_part.size(), md.data(), &size) != nullptr,
        "HMAC-SHA256 computes");
  return auth::base64url_encode(std::span<const std::uint8_t>(md.data(), size));
}

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), which is what the JSON parser accepts inside strings.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<std::uint8_t>(s[i]);
    std::size_t extra = 0;
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xbf;
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) {
      extra = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      extra = 2;
      lo = b == 0xe0 ? 0xa0 : 0x80;
      hi = b == 0xed ? 0x9f : 0xbf;
    } else if (b >= 0xf0 && b <= 0xf4) {
      extra = 3;
      lo = b == 0xf0 ? 0x90 : 0x80;
      hi = b == 0xf4 ? 0x8f : 0xbf;
    } else {
      return false;
    }
    if (s.size() - i <= extra) {
      return false;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto c = static_cast<std::uint8_t>(s[i + k]);
      // Only the first continuation byte has the narrowed range.
      if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xbf)) {
        return false;
      }
    }
    i += extra + 1;
  }
  return true;
}

bool same_claims(const auth::claims& a, const auth::claims& b) {
  return a.subject == b.subject && a.display_name == b.display_name && a.room == b.room &&
         a.role == b.role && a.issuer == b.issuer && a.audience == b.audience &&
         a.token_id == b.token_id && a.issued_at == b.issued_at && a.not_before == b.not_before &&
         a.expires_at == b.expires_at;
}

// What verify_token promises about any claims it returns.
void check_accepted_claims(const auth::claims& c, const auth::verify_options& o) {
  check(!c.subject.empty() && !c.display_name.empty() && !c.room.empty() && !c.token_id.empty(),
        "accepted claims are all present");
  check(c.issuer == o.issuer && c.audience == o.audience, "accepted issuer and audience match");
  check(c.expires_at > o.now - o.leeway, "accepted token is not expired");
  check(c.not_before <= o.now + o.leeway, "accepted token is already valid");
  check(auth::parse_role(auth::role_name(c.role)) == c.role, "accepted role is a known role");
}

// Raw bytes as a token. Only a correct HMAC can make it pass.
void fuzz_as_token(std::string_view token) {
  const auth::verify_options o = options();
  const auth::verify_result r = auth::verify_token(token, key(), o);
  if (!r.ok()) {
    return;
  }
  const std::size_t dot2 = token.rfind('.');
  check(dot2 != std::string_view::npos, "an accepted token has a signature part");
  check(token.substr(dot2 + 1) == signature_b64(token.substr(0, dot2), key()),
        "an accepted token carries our key's HMAC of header.payload");
  check_accepted_claims(r.value, o);
}

// The bytes as JSON, base64url-encoded and correctly signed: `payload` under
// the header our minting writes, or `header` and `payload` split at the first
// newline. This is how the fuzzer reaches payload parsing and the claim checks.
void fuzz_as_signed(std::string_view input) {
  std::string header = R"({"alg":"HS256","typ":"JWT","kid":")" + key().key_id() + R"("})";
  std::string_view payload = input;
  if (const std::size_t newline = input.find('\n'); newline != std::string_view::npos) {
    header = input.substr(0, newline);
    payload = input.substr(newline + 1);
  }
  const std::string signed_part =
      auth::base64url_encode(header) + "." + auth::base64url_encode(payload);
  const std::string token = signed_part + "." + signature_b64(signed_part, key());

  const auth::verify_options o = options();
  const auth::verify_result r = auth::verify_token(token, key(), o);
  check(!auth::verify_token(token, other_key(), o).ok(), "another key never accepts");
  if (!r.ok()) {
    return;
  }
  check_accepted_claims(r.value, o);
  // Whatever JSON spelling got in, our own minting of the same claims must
  // verify to the same claims.
  const std::string minted = auth::mint_token(r.value, key());
  const auth::verify_result again = auth::verify_token(minted, key(), o);
  if (minted.size() > o.max_bytes) {
    check(again.error == auth::token_error::oversize, "an oversize re-mint is rejected as such");
  } else {
    check(again.ok() && same_claims(again.value, r.value), "re-minted claims verify unchanged");
  }
}

// Reads the input front to back; past the end everything reads as zero, so
// every input describes a complete case.
class byte_reader {
 public:
  explicit byte_reader(std::string_view bytes) : rest_(bytes) {}

  std::uint8_t u8() {
    if (rest_.empty()) {
      return 0;
    }
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  std::uint16_t u16() {
    const std::uint8_t high = u8();
    return static_cast<std::uint16_t>((high << 8U) | u8());
  }

  std::int64_t i64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
      v = (v << 8U) | u8();
    }
    return static_cast<std::int64_t>(v);
  }

  // Up to 255 bytes, so that tokens both below and above max_bytes come up.
  std::string text() {
    const std::size_t wanted = u8();  // read first: it shortens rest_
    const std::size_t n = std::min(wanted, rest_.size());
    std::string s(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return s;
  }

 private:
  std::string_view rest_;
};

// A time near `now` (within about nine hours either way, so the leeway edges
// are reachable) or, if `anywhere`, any 64-bit value.
std::int64_t read_time(byte_reader& in, bool anywhere) {
  if (anywhere) {
    return in.i64();
  }
  return now + static_cast<std::int16_t>(in.u16());
}

// Claims from the input are minted with the real function; the token must
// verify exactly when the claims are acceptable, and no single-byte change
// to it may ever verify.
void fuzz_mint_and_tamper(std::string_view input) {
  byte_reader in(input);
  const std::uint8_t flags = in.u8();
  const auth::verify_options o = options();

  auth::claims c;
  c.role = static_cast<auth::role>(in.u8() % 5);
  c.subject = in.text();
  c.display_name = in.text();
  c.room = in.text();
  c.token_id = in.text();
  c.issuer = (flags & 0x01U) != 0 ? in.text() : o.issuer;
  c.audience = (flags & 0x02U) != 0 ? in.text() : o.audience;
  c.issued_at = read_time(in, (flags & 0x04U) != 0);
  c.not_before = read_time(in, (flags & 0x08U) != 0);
  c.expires_at = read_time(in, (flags & 0x10U) != 0);

  const std::string token = auth::mint_token(c, key());
  const bool acceptable =
      token.size() <= o.max_bytes && !c.subject.empty() && !c.display_name.empty() &&
      !c.room.empty() && !c.token_id.empty() && c.issuer == o.issuer && c.audience == o.audience &&
      valid_utf8(c.subject) && valid_utf8(c.display_name) && valid_utf8(c.room) &&
      valid_utf8(c.token_id) && c.expires_at > o.now - o.leeway && c.not_before <= o.now + o.leeway;
  const auth::verify_result r = auth::verify_token(token, key(), o);
  check(r.ok() == acceptable, "a minted token verifies exactly when its claims are acceptable");
  if (r.ok()) {
    check(same_claims(r.value, c), "a minted token verifies to the claims it was minted from");
  }
  check(!auth::verify_token(token, other_key(), o).ok(), "another key never accepts");

  // Base64url decoding is strict (one text per byte string), so any change to
  // any part alters the signed bytes or the signature: no mutant may pass.
  std::string mutant = token;
  const std::size_t at = in.u16() % mutant.size();
  const std::uint8_t flip = in.u8();
  mutant[at] = static_cast<char>(static_cast<std::uint8_t>(mutant[at]) ^ (flip == 0 ? 1U : flip));
  check(!auth::verify_token(mutant, key(), o).ok(), "a token with one byte changed never verifies");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A token is text; the bytes are taken as chars unchanged.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz_as_token(input);
  fuzz_as_signed(input);
  fuzz_mint_and_tamper(input);
  return 0;
}
