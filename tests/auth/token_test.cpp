// Token minting and verification: round trips, and every token_error produced by
// a real crafted token (signed with a real HMAC where the check under test needs it).
#include "auth/token.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <ostream>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "auth/base64url.hpp"

namespace hearth::auth {

// Lets failures show "bad_signature" rather than a number.
void PrintTo(token_error e, std::ostream* os) { *os << token_error_name(e); }

namespace {

constexpr std::int64_t t0 = 1'700'000'000;  // iat and nbf of the sample token
constexpr std::int64_t t_exp = t0 + 3600;

signing_key test_key(std::uint8_t seed = 1) {
  std::array<std::uint8_t, signing_key::size> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(seed + i * 7);
  }
  return signing_key::from_bytes(bytes);
}

claims sample_claims() {
  claims c;
  c.subject = "clinic:user-42";
  c.display_name = "Alex";
  c.room = "room-7";
  c.role = role::participant;
  c.issuer = "hearthd";
  c.audience = "hearth";
  c.token_id = "jti-0001";
  c.issued_at = t0;
  c.not_before = t0;
  c.expires_at = t_exp;
  return c;
}

verify_options at(std::int64_t now) {
  verify_options o;
  o.now = now;
  return o;
}

std::string b64(std::string_view s) { return base64url_encode(s); }

std::string hmac_b64(const signing_key& key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data(), &size);
  return base64url_encode(std::span<const std::uint8_t>(md.data(), size));
}

// header.payload signed with `key`, from raw JSON text.
std::string craft(std::string_view header_json, std::string_view payload_json,
                  const signing_key& key) {
  const std::string input = b64(header_json) + "." + b64(payload_json);
  return input + "." + hmac_b64(key, input);
}

std::string header_for(const signing_key& key) {
  return R"({"alg":"HS256","typ":"JWT","kid":")" + key.key_id() + R"("})";
}

// Claim name -> raw JSON value; edited by tests, then rendered as an object.
using fields = std::map<std::string, std::string>;

fields sample_fields() {
  return {{"sub", R"("clinic:user-42")"}, {"name", R"("Alex")"},       {"room", R"("room-7")"},
          {"role", R"("participant")"},   {"iss", R"("hearthd")"},     {"aud", R"("hearth")"},
          {"jti", R"("jti-0001")"},       {"iat", std::to_string(t0)}, {"nbf", std::to_string(t0)},
          {"exp", std::to_string(t_exp)}};
}

std::string render(const fields& f) {
  std::string out = "{";
  for (const auto& [name, value] : f) {
    if (out.size() > 1) out += ",";
    out += "\"" + name + "\":" + value;
  }
  return out + "}";
}

token_error verify_fields(const fields& f, std::int64_t now = t0) {
  const auto key = test_key();
  return verify_token(craft(header_for(key), render(f), key), key, at(now)).error;
}

struct parts {
  std::string header, payload, signature;
};

parts split(const std::string& token) {
  const auto d1 = token.find('.');
  const auto d2 = token.find('.', d1 + 1);
  return {token.substr(0, d1), token.substr(d1 + 1, d2 - d1 - 1), token.substr(d2 + 1)};
}

// Replaces one base64url character with a different one that keeps the text canonical.
std::string flip_char(std::string s, std::size_t i) {
  s[i] = s[i] == 'A' ? 'B' : 'A';
  return s;
}

TEST(Token, RoundTrip) {
  const auto key = test_key();
  const claims c = sample_claims();
  const auto r = verify_token(mint_token(c, key), key, at(t0 + 10));
  ASSERT_TRUE(r.ok()) << token_error_name(r.error);
  EXPECT_EQ(r.value.subject, c.subject);
  EXPECT_EQ(r.value.display_name, c.display_name);
  EXPECT_EQ(r.value.room, c.room);
  EXPECT_EQ(r.value.role, c.role);
  EXPECT_EQ(r.value.issuer, c.issuer);
  EXPECT_EQ(r.value.audience, c.audience);
  EXPECT_EQ(r.value.token_id, c.token_id);
  EXPECT_EQ(r.value.issued_at, c.issued_at);
  EXPECT_EQ(r.value.not_before, c.not_before);
  EXPECT_EQ(r.value.expires_at, c.expires_at);
}

TEST(Token, RoundTripsEveryRoleAndAwkwardText) {
  const auto key = test_key();
  for (const role ro : {role::facilitator, role::co_facilitator, role::participant,
                        role::family_member, role::observer}) {
    claims c = sample_claims();
    c.role = ro;
    c.display_name = "Zo\xc3\xab \"Z\" O'Neil \\ \n\t\x01 \xe2\x9c\x93";
    c.room = "room/with.dots and spaces";
    const auto r = verify_token(mint_token(c, key), key, at(t0));
    ASSERT_TRUE(r.ok()) << token_error_name(r.error);
    EXPECT_EQ(r.value.role, ro);
    EXPECT_EQ(r.value.display_name, c.display_name);
    EXPECT_EQ(r.value.room, c.room);
  }
}

TEST(Token, MintedWireFormat) {
  const auto key = test_key();
  const parts p = split(mint_token(sample_claims(), key));
  EXPECT_EQ(base64url_decode(p.header), header_for(key));
  EXPECT_EQ(base64url_decode(p.payload),
            std::string(R"({"sub":"clinic:user-42","name":"Alex","room":"room-7",)"
                        R"("role":"participant","iss":"hearthd","aud":"hearth",)"
                        R"("jti":"jti-0001","iat":1700000000,"nbf":1700000000,)"
                        R"("exp":1700003600})"));
  EXPECT_EQ(p.signature.size(), 43u);  // 32 bytes, unpadded
  EXPECT_EQ(p.signature, hmac_b64(key, p.header + "." + p.payload));
}

TEST(Token, CraftedTokenVerifiesSoNegativeTestsAreMeaningful) {
  EXPECT_EQ(verify_fields(sample_fields()), token_error::none);
}

TEST(Token, AlgNoneWithEmptySignatureIsBadAlgorithm) {
  const auto key = test_key();
  const std::string token = b64(R"({"alg":"none","typ":"JWT","kid":")" + key.key_id() + R"("})") +
                            "." + b64(render(sample_fields())) + ".";
  EXPECT_EQ(verify_token(token, key, at(t0)).error, token_error::bad_algorithm);
}

TEST(Token, AlgNoneIsRejectedEvenWithAValidHmac) {
  const auto key = test_key();
  const std::string token =
      craft(R"({"alg":"none","kid":")" + key.key_id() + R"("})", render(sample_fields()), key);
  EXPECT_EQ(verify_token(token, key, at(t0)).error, token_error::bad_algorithm);
}

TEST(Token, OtherAlgorithmsAreBadAlgorithm) {
  const auto key = test_key();
  const std::string kid = R"("kid":")" + key.key_id() + R"(")";
  const std::vector<std::string> algs = {
      R"("alg":"HS512",)",   R"("alg":"RS256",)", R"("alg":"hs256",)", R"("alg":"HS256 ",)",
      R"("alg":["HS256"],)", R"("alg":null,)",    R"("alg":256,)",     ""};
  for (const std::string& alg : algs) {
    const std::string token = craft("{" + alg + kid + "}", render(sample_fields()), key);
    EXPECT_EQ(verify_token(token, key, at(t0)).error, token_error::bad_algorithm) << alg;
  }
}

TEST(Token, DifferentKidIsUnknownKey) {
  const auto key = test_key();
  const auto fields_json = render(sample_fields());
  EXPECT_EQ(
      verify_token(craft(R"({"alg":"HS256","kid":"deadbeef"})", fields_json, key), key, at(t0))
          .error,
      token_error::unknown_key);
  EXPECT_EQ(verify_token(craft(R"({"alg":"HS256"})", fields_json, key), key, at(t0)).error,
            token_error::unknown_key);
  EXPECT_EQ(verify_token(craft(R"({"alg":"HS256","kid":7})", fields_json, key), key, at(t0)).error,
            token_error::unknown_key);
  // A token from another server's key names that key.
  const auto other = test_key(99);
  ASSERT_NE(other.key_id(), key.key_id());
  EXPECT_EQ(verify_token(mint_token(sample_claims(), other), key, at(t0)).error,
            token_error::unknown_key);
}

TEST(Token, OurKidSignedWithAnotherKeyIsBadSignature) {
  const auto key = test_key();
  const auto other = test_key(99);
  EXPECT_EQ(verify_token(craft(header_for(key), render(sample_fields()), other), key, at(t0)).error,
            token_error::bad_signature);
}

TEST(Token, TamperedPayloadIsBadSignature) {
  const auto key = test_key();
  const parts p = split(mint_token(sample_claims(), key));
  // Escalate the role, keep the original signature.
  fields f = sample_fields();
  f["role"] = R"("facilitator")";
  EXPECT_EQ(verify_token(p.header + "." + b64(render(f)) + "." + p.signature, key, at(t0)).error,
            token_error::bad_signature);
  // Every single-character change of the payload text is caught.
  for (std::size_t i = 0; i < p.payload.size(); ++i) {
    const std::string token = p.header + "." + flip_char(p.payload, i) + "." + p.signature;
    EXPECT_EQ(verify_token(token, key, at(t0)).error, token_error::bad_signature) << i;
  }
}

TEST(Token, TamperedHeaderIsBadSignature) {
  const auto key = test_key();
  const parts p = split(mint_token(sample_claims(), key));
  const std::string header = b64(R"({"alg":"HS256","typ":"JWS","kid":")" + key.key_id() + R"("})");
  EXPECT_EQ(verify_token(header + "." + p.payload + "." + p.signature, key, at(t0)).error,
            token_error::bad_signature);
}

TEST(Token, TamperedSignatureIsBadSignature) {
  const auto key = test_key();
  const parts p = split(mint_token(sample_claims(), key));
  // The last character is left out: it also carries unused bits (see below).
  for (std::size_t i = 0; i + 1 < p.signature.size(); ++i) {
    const std::string token = p.header + "." + p.payload + "." + flip_char(p.signature, i);
    EXPECT_EQ(verify_token(token, key, at(t0)).error, token_error::bad_signature) << i;
  }
}

TEST(Token, SignatureOfWrongLengthIsBadSignature) {
  const auto key = test_key();
  const parts p = split(mint_token(sample_claims(), key));
  const std::string body = p.header + "." + p.payload + ".";
  const auto sig = base64url_decode(p.signature);
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(verify_token(body + b64(sig->substr(0, 31)), key, at(t0)).error,
            token_error::bad_signature);
  EXPECT_EQ(verify_token(body + b64(*sig + "x"), key, at(t0)).error, token_error::bad_signature);
  EXPECT_EQ(verify_token(body, key, at(t0)).error, token_error::bad_signature);
}

TEST(Token, NonCanonicalSignatureEncodingIsRejected) {
  const auto key = test_key();
  const parts p = split(mint_token(sample_claims(), key));
  // The last of 43 characters carries 4 signature bits and 2 unused bits; setting
  // an unused bit must not yield a second accepted spelling of the signature.
  std::string sig = p.signature;
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  sig.back() = alphabet[alphabet.find(sig.back()) | 1];
  const auto r = verify_token(p.header + "." + p.payload + "." + sig, key, at(t0));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, token_error::malformed);
}

TEST(Token, ExpiredWithLiteralTimes) {
  const auto key = test_key();
  const std::string token = mint_token(sample_claims(), key);  // exp 1700003600
  EXPECT_EQ(verify_token(token, key, at(1'700'100'000)).error, token_error::expired);
  EXPECT_EQ(verify_token(token, key, at(1'700'003'630)).error, token_error::expired);
  EXPECT_EQ(verify_token(token, key, at(1'700'003'629)).error, token_error::none);
}

TEST(Token, NotBeforeInTheFuture) {
  const auto key = test_key();
  const std::string token = mint_token(sample_claims(), key);  // nbf 1700000000
  EXPECT_EQ(verify_token(token, key, at(1'699'000'000)).error, token_error::not_yet_valid);
  EXPECT_EQ(verify_token(token, key, at(1'699'999'969)).error, token_error::not_yet_valid);
  EXPECT_EQ(verify_token(token, key, at(1'699'999'970)).error, token_error::none);
}

TEST(Token, LeewayBoundaries) {
  const auto key = test_key();
  const std::string token = mint_token(sample_claims(), key);
  verify_options o = at(t_exp);
  o.leeway = 0;
  EXPECT_EQ(verify_token(token, key, o).error, token_error::expired);  // exp is exclusive
  o.now = t_exp - 1;
  EXPECT_EQ(verify_token(token, key, o).error, token_error::none);
  o.now = t0;
  EXPECT_EQ(verify_token(token, key, o).error, token_error::none);  // nbf is inclusive
  o.now = t0 - 1;
  EXPECT_EQ(verify_token(token, key, o).error, token_error::not_yet_valid);

  o.leeway = 120;
  o.now = t_exp + 119;
  EXPECT_EQ(verify_token(token, key, o).error, token_error::none);
  o.now = t_exp + 120;
  EXPECT_EQ(verify_token(token, key, o).error, token_error::expired);
  o.now = t0 - 120;
  EXPECT_EQ(verify_token(token, key, o).error, token_error::none);
  o.now = t0 - 121;
  EXPECT_EQ(verify_token(token, key, o).error, token_error::not_yet_valid);
}

TEST(Token, ExtremeTimesDoNotOverflow) {
  const auto key = test_key();
  claims c = sample_claims();
  c.not_before = std::numeric_limits<std::int64_t>::min();
  c.expires_at = std::numeric_limits<std::int64_t>::max();
  const std::string token = mint_token(c, key);
  verify_options o = at(std::numeric_limits<std::int64_t>::max());
  o.leeway = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(verify_token(token, key, o).error, token_error::none);
  o.now = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(verify_token(token, key, o).error, token_error::none);
  c.expires_at = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(verify_token(mint_token(c, key), key, o).error, token_error::expired);
}

TEST(Token, WrongAudience) {
  const auto key = test_key();
  claims c = sample_claims();
  c.audience = "other-service";
  EXPECT_EQ(verify_token(mint_token(c, key), key, at(t0)).error, token_error::wrong_audience);
  verify_options o = at(t0);
  o.audience = "elsewhere";
  EXPECT_EQ(verify_token(mint_token(sample_claims(), key), key, o).error,
            token_error::wrong_audience);
  // aud must be a string; an array (allowed by RFC 7519) is not accepted here.
  fields f = sample_fields();
  f["aud"] = R"(["hearth"])";
  EXPECT_EQ(verify_fields(f), token_error::malformed);
}

TEST(Token, WrongIssuer) {
  const auto key = test_key();
  claims c = sample_claims();
  c.issuer = "someone-else";
  EXPECT_EQ(verify_token(mint_token(c, key), key, at(t0)).error, token_error::wrong_issuer);
  c.issuer = "Hearthd";
  EXPECT_EQ(verify_token(mint_token(c, key), key, at(t0)).error, token_error::wrong_issuer);
}

TEST(Token, EachMissingClaim) {
  for (const auto& [name, value] : sample_fields()) {
    fields f = sample_fields();
    f.erase(name);
    EXPECT_EQ(verify_fields(f), token_error::missing_claim) << name;
  }
}

TEST(Token, EmptyStringClaimIsMissing) {
  for (const char* name : {"sub", "name", "room", "role", "iss", "aud", "jti"}) {
    fields f = sample_fields();
    f[name] = R"("")";
    EXPECT_EQ(verify_fields(f), token_error::missing_claim) << name;
  }
}

TEST(Token, MintedTokenWithEmptyClaimIsRejected) {
  const auto key = test_key();
  claims c = sample_claims();
  c.subject.clear();
  EXPECT_EQ(verify_token(mint_token(c, key), key, at(t0)).error, token_error::missing_claim);
}

TEST(Token, WrongClaimTypesAreMalformed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sub", "42"},    {"name", "null"}, {"room", R"({"id":1})"},         {"role", "true"},
      {"iss", "[]"},    {"jti", "1"},     {"exp", R"("1700003600")"},      {"exp", "1700003600.0"},
      {"exp", "1.7e9"}, {"nbf", "null"},  {"iat", "18446744073709551615"},  // beyond int64
  };
  for (const auto& [name, value] : cases) {
    fields f = sample_fields();
    f[name] = value;
    EXPECT_EQ(verify_fields(f), token_error::malformed) << name << "=" << value;
  }
}

TEST(Token, IntegerClaimsAcceptTheFullInt64Range) {
  fields f = sample_fields();
  f["exp"] = "9223372036854775807";
  f["iat"] = "-5";
  EXPECT_EQ(verify_fields(f), token_error::none);
}

TEST(Token, UnknownClaimsAreIgnored) {
  fields f = sample_fields();
  f["extra"] = R"({"nested":[1,2,3]})";
  EXPECT_EQ(verify_fields(f), token_error::none);
}

TEST(Token, BadRole) {
  for (const char* role_json :
       {R"("therapist")", R"("Facilitator")", R"("ROLE_OBSERVER")", R"("observer ")"}) {
    fields f = sample_fields();
    f["role"] = role_json;
    EXPECT_EQ(verify_fields(f), token_error::bad_role) << role_json;
  }
}

TEST(Token, NonJsonHeaderIsMalformed) {
  const auto key = test_key();
  const std::string payload = b64(render(sample_fields()));
  for (const std::string& header :
       {b64("not json"), b64(R"({"alg":"HS256")"), b64(R"(["HS256"])"), b64(R"("HS256")"),
        b64("{}x"), std::string("!!!!"), std::string("eyJ=")}) {
    const std::string input = header + "." + payload;
    EXPECT_EQ(verify_token(input + "." + hmac_b64(key, input), key, at(t0)).error,
              token_error::malformed)
        << header;
  }
}

TEST(Token, NonJsonOrNonObjectPayloadIsMalformedOnceAuthentic) {
  const auto key = test_key();
  for (const char* payload : {"not json", "[1,2]", "null", R"({"sub":)"}) {
    EXPECT_EQ(verify_token(craft(header_for(key), payload, key), key, at(t0)).error,
              token_error::malformed)
        << payload;
  }
}

TEST(Token, WrongNumberOfPartsIsMalformed) {
  const auto key = test_key();
  const parts p = split(mint_token(sample_claims(), key));
  for (const std::string& token :
       {p.header + "." + p.payload, p.header + "." + p.payload + "." + p.signature + ".",
        p.header + "." + p.payload + "." + p.signature + "." + p.signature, std::string(),
        std::string("."), std::string(".."), "." + p.payload + "." + p.signature,
        p.header + ".." + p.signature, p.header + p.payload + p.signature}) {
    EXPECT_EQ(verify_token(token, key, at(t0)).error, token_error::malformed);
  }
}

TEST(Token, OversizeIsCheckedFirst) {
  const auto key = test_key();
  const std::string token = mint_token(sample_claims(), key);
  verify_options o = at(t0);
  o.max_bytes = token.size();
  EXPECT_EQ(verify_token(token, key, o).error, token_error::none);
  o.max_bytes = token.size() - 1;
  EXPECT_EQ(verify_token(token, key, o).error, token_error::oversize);
  // Default limit, and garbage that would otherwise be malformed.
  EXPECT_EQ(verify_token(std::string(4097, '.'), key, at(t0)).error, token_error::oversize);
  EXPECT_EQ(verify_token(std::string(4096, 'A'), key, at(t0)).error, token_error::malformed);
  claims big = sample_claims();
  big.display_name.assign(5000, 'n');
  EXPECT_EQ(verify_token(mint_token(big, key), key, at(t0)).error, token_error::oversize);
}

TEST(Token, ChecksRunInTheDocumentedOrder) {
  const auto key = test_key();
  const auto other = test_key(99);
  fields f = sample_fields();
  f["exp"] = "1";           // expired
  f["aud"] = R"("x")";      // wrong audience
  f["role"] = R"("boss")";  // bad role
  // Header problems win over signature problems, which win over claims.
  EXPECT_EQ(
      verify_token(craft(R"({"alg":"HS512","kid":"nope"})", render(f), other), key, at(t0)).error,
      token_error::bad_algorithm);
  EXPECT_EQ(
      verify_token(craft(R"({"alg":"HS256","kid":"nope"})", render(f), other), key, at(t0)).error,
      token_error::unknown_key);
  EXPECT_EQ(verify_token(craft(header_for(key), render(f), other), key, at(t0)).error,
            token_error::bad_signature);
  EXPECT_EQ(verify_fields(f), token_error::bad_role);
  f["role"] = R"("observer")";
  f["iss"] = R"("x")";
  EXPECT_EQ(verify_fields(f), token_error::wrong_issuer);
  f["iss"] = R"("hearthd")";
  EXPECT_EQ(verify_fields(f), token_error::wrong_audience);
  f["aud"] = R"("hearth")";
  f["nbf"] = "9999999999";
  EXPECT_EQ(verify_fields(f), token_error::expired);
  f["exp"] = "99999999999";
  EXPECT_EQ(verify_fields(f), token_error::not_yet_valid);
}

TEST(Token, VerifiesConcurrently) {
  const auto key = test_key();
  const std::string good = mint_token(sample_claims(), key);
  const std::string bad = flip_char(good, good.size() - 5);
  std::vector<std::thread> threads;
  std::array<int, 4> failures{};
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (!verify_token(good, key, at(t0)).ok()) ++failures[t];
        if (verify_token(bad, key, at(t0)).error != token_error::bad_signature) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const int f : failures) EXPECT_EQ(f, 0);
}

TEST(Role, NamesRoundTrip) {
  EXPECT_EQ(role_name(role::facilitator), "facilitator");
  EXPECT_EQ(role_name(role::co_facilitator), "co_facilitator");
  EXPECT_EQ(role_name(role::participant), "participant");
  EXPECT_EQ(role_name(role::family_member), "family_member");
  EXPECT_EQ(role_name(role::observer), "observer");
  for (const role r : {role::facilitator, role::co_facilitator, role::participant,
                       role::family_member, role::observer}) {
    EXPECT_EQ(parse_role(role_name(r)), r);
  }
  EXPECT_FALSE(parse_role("").has_value());
  EXPECT_FALSE(parse_role("Observer").has_value());
  EXPECT_FALSE(parse_role("unknown").has_value());
}

TEST(TokenError, Names) {
  EXPECT_EQ(token_error_name(token_error::none), "none");
  EXPECT_EQ(token_error_name(token_error::oversize), "oversize");
  EXPECT_EQ(token_error_name(token_error::malformed), "malformed");
  EXPECT_EQ(token_error_name(token_error::bad_algorithm), "bad_algorithm");
  EXPECT_EQ(token_error_name(token_error::unknown_key), "unknown_key");
  EXPECT_EQ(token_error_name(token_error::bad_signature), "bad_signature");
  EXPECT_EQ(token_error_name(token_error::missing_claim), "missing_claim");
  EXPECT_EQ(token_error_name(token_error::bad_role), "bad_role");
  EXPECT_EQ(token_error_name(token_error::wrong_issuer), "wrong_issuer");
  EXPECT_EQ(token_error_name(token_error::wrong_audience), "wrong_audience");
  EXPECT_EQ(token_error_name(token_error::expired), "expired");
  EXPECT_EQ(token_error_name(token_error::not_yet_valid), "not_yet_valid");
}

}  // namespace
}  // namespace hearth::auth
