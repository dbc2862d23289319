// Text edits in code points: canonical form, UTF-8 at the edges, edits next
// to multi-byte characters, emoji and combining marks; order keys.
#include <gtest/gtest.h>

#include "worksheets/codec.hpp"
#include "worksheets/order_key.hpp"
#include "worksheets/text_op.hpp"
#include "worksheets/unicode.hpp"

namespace hearth::worksheets {
namespace {

text_op edit(std::uint32_t at, std::u32string_view ins, std::uint32_t del) {
  text_op t;
  push_retain(t, at);
  push_insert(t, ins);
  push_erase(t, del);
  trim(t);
  return t;
}

std::string run(const std::string& utf8, const text_op& t) {
  return encode_utf8(*apply_text(*decode_utf8(utf8), t));
}

TEST(TextOp, PushesKeepTheCanonicalForm) {
  text_op t;
  push_retain(t, 2);
  push_retain(t, 1);
  push_erase(t, 1);
  push_insert(t, U"a");  // lands before the delete
  push_insert(t, U"b");
  push_erase(t, 2);
  push_retain(t, 0);
  push_retain(t, 4);
  trim(t);
  ASSERT_EQ(t.parts.size(), 3U);
  EXPECT_EQ(t.parts[0].count, 3U);
  EXPECT_EQ(t.parts[1].text, U"ab");
  EXPECT_EQ(t.parts[2].count, 3U);
  EXPECT_EQ(t, edit(3, U"ab", 3));
}

TEST(TextOp, RefusesEditsPastTheEnd) {
  EXPECT_FALSE(apply_text(U"abc", edit(2, U"", 2)).has_value());
  EXPECT_EQ(apply_text(U"abc", edit(3, U"d", 0)), U"abcd");
}

TEST(Unicode, StrictUtf8) {
  EXPECT_EQ(decode_utf8("h\xC3\xA9"), U"h\u00e9");
  EXPECT_EQ(decode_utf8("\xF0\x9F\x98\x80"), U"\U0001F600");
  EXPECT_FALSE(decode_utf8("\xC3").has_value());              // cut short
  EXPECT_FALSE(decode_utf8("\xC0\xAF").has_value());          // overlong
  EXPECT_FALSE(decode_utf8("\xED\xA0\x80").has_value());      // surrogate
  EXPECT_FALSE(decode_utf8("\xF4\x90\x80\x80").has_value());  // above U+10FFFF
  EXPECT_FALSE(decode_utf8(std::string_view("a\0b", 3)).has_value());
  EXPECT_FALSE(decode_utf8("\x80").has_value());
}

TEST(Unicode, PositionsCountCodePoints) {
  // "I 🧡 tea": the emoji is one position though four bytes (two UTF-16 units).
  EXPECT_EQ(run("I \xF0\x9F\xA7\xA1 tea", edit(3, U" green", 0)), "I \xF0\x9F\xA7\xA1 green tea");
  EXPECT_EQ(run("I \xF0\x9F\xA7\xA1 tea", edit(2, U"", 1)), "I  tea");
  // "cafe" + combining acute: the accent is its own code point after the 'e'.
  EXPECT_EQ(run("cafe\xCC\x81!", edit(5, U"s", 0)), "cafe\xCC\x81s!");
  EXPECT_EQ(run("cafe\xCC\x81!", edit(4, U"", 1)), "cafe!");
}

TEST(Unicode, ConcurrentEditsAroundACombiningMark) {
  // One side adds an accent after 'e', the other inserts text at the same
  // position: the committed side's text lands first, and the accent survives.
  const std::u32string base = U"cafe";
  const auto accent = edit(4, U"\u0301", 0);
  const auto plural = edit(4, U"s", 0);
  const auto plural_after = transform_text(plural, accent, tie::other_first);
  const auto accent_after = transform_text(accent, plural, tie::op_first);
  const auto a = apply_text(*apply_text(base, accent), plural_after);
  const auto b = apply_text(*apply_text(base, plural), accent_after);
  EXPECT_EQ(a, U"cafe\u0301s");
  EXPECT_EQ(a, b);
  // A delete of the emoji meets an insert right after it.
  const std::u32string heart = U"a\U0001F9E1b";
  const auto del = edit(1, U"", 1);
  const auto ins = edit(2, U"\U0001F600", 0);
  EXPECT_EQ(apply_text(*apply_text(heart, del), transform_text(ins, del, tie::other_first)),
            U"a\U0001F600b");
}

TEST(Codec, TextEditsRoundTripAndComeBackCanonical) {
  v1::WorksheetOp w;
  w.mutable_target()->set_field_id("notes");
  auto* e = w.mutable_text();
  e->add_components()->set_retain(1);
  e->add_components()->set_retain(0);
  e->add_components()->set_delete_(1);
  e->add_components()->set_insert("\xF0\x9F\x98\x80");
  e->add_components()->set_retain(5);
  const auto o = op_from_wire(w);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(std::get<text_op>(o->what), edit(1, U"\U0001F600", 1));
  EXPECT_EQ(op_from_wire(op_to_wire(*o)), o);
  e->add_components()->set_insert("\xFF");
  EXPECT_FALSE(op_from_wire(w).has_value());
}

TEST(OrderKey, BetweenIsStrictlyBetweenAndValid) {
  std::vector<std::string> keys = {key_between("", "")};
  // Always insert at the front, then always after the first: keys grow but
  // stay ordered and valid.
  for (int i = 0; i < 200; ++i) {
    keys.insert(keys.begin(), key_between("", keys.front()));
    keys.insert(keys.begin() + 1, key_between(keys[0], keys[1]));
    keys.push_back(key_between(keys.back(), ""));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_TRUE(valid_order_key(keys[i])) << keys[i];
    if (i > 0) {
      ASSERT_LT(keys[i - 1], keys[i]);
    }
  }
  EXPECT_FALSE(valid_order_key(""));
  EXPECT_FALSE(valid_order_key("a0"));
  EXPECT_FALSE(valid_order_key("A"));
}

}  // namespace
}  // namespace hearth::worksheets
