// base64url: RFC 4648 test vectors and the strictness the token verifier relies on.
#include "auth/base64url.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

namespace hearth::auth {
namespace {

TEST(Base64url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(std::string_view("")), "");
  EXPECT_EQ(base64url_encode(std::string_view("f")), "Zg");
  EXPECT_EQ(base64url_encode(std::string_view("fo")), "Zm8");
  EXPECT_EQ(base64url_encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(base64url_encode(std::string_view("foob")), "Zm9vYg");
  EXPECT_EQ(base64url_encode(std::string_view("fooba")), "Zm9vYmE");
  EXPECT_EQ(base64url_encode(std::string_view("foobar")), "Zm9vYmFy");
}

TEST(Base64url, UsesUrlSafeAlphabet) {
  const std::array<std::uint8_t, 3> bytes{0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(base64url_decode("-_-_"), std::string("\xfb\xff\xbf"));
}

TEST(Base64url, RoundTripsEveryByteValueAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); ++n) {
    const std::string in = all.substr(0, n);
    const auto out = base64url_decode(base64url_encode(in));
    ASSERT_TRUE(out.has_value()) << n;
    EXPECT_EQ(*out, in) << n;
  }
}

TEST(Base64url, RejectsPadding) {
  EXPECT_FALSE(base64url_decode("Zg==").has_value());
  EXPECT_FALSE(base64url_decode("Zm8=").has_value());
  EXPECT_FALSE(base64url_decode("=").has_value());
}

TEST(Base64url, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_FALSE(base64url_decode("Zm9+").has_value());  // standard base64, not url-safe
  EXPECT_FALSE(base64url_decode("Zm9/").has_value());
  EXPECT_FALSE(base64url_decode("Zm 9").has_value());
  EXPECT_FALSE(base64url_decode("Zm9v\n").has_value());
  EXPECT_FALSE(base64url_decode(std::string_view("Zm\0v", 4)).has_value());
  EXPECT_FALSE(base64url_decode("Zm9\xc3\xa9").has_value());
}

TEST(Base64url, RejectsImpossibleLength) {
  EXPECT_FALSE(base64url_decode("Z").has_value());
  EXPECT_FALSE(base64url_decode("Zm9vY").has_value());
}

TEST(Base64url, RejectsNonZeroUnusedBits) {
  // "Zg" is canonical for "f"; "Zh".."Zv" carry stray low bits in the last character.
  EXPECT_TRUE(base64url_decode("Zg").has_value());
  EXPECT_FALSE(base64url_decode("Zh").has_value());
  EXPECT_FALSE(base64url_decode("Zm9").has_value());  // "fo" is "Zm8"
  EXPECT_TRUE(base64url_decode("Zm8").has_value());
}

}  // namespace
}  // namespace hearth::auth
