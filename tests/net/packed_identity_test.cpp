// A session's packed copy of its token's claims gives back exactly what went in.
#include "net/packed_identity.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hearth::net {
namespace {

TEST(packed_identity, empty_until_set) { EXPECT_FALSE(packed_identity{}); }

TEST(packed_identity, gives_back_every_claim) {
  const core::identity who{"subject-" + std::string(40, 's'), "Ada Example", "room-7",
                           v1::ROLE_CO_FACILITATOR};
  const packed_identity packed(who);
  ASSERT_TRUE(packed);
  EXPECT_EQ(packed.role(), v1::ROLE_CO_FACILITATOR);
  EXPECT_EQ(packed.room(), "room-7");
  const core::identity back = packed.unpack();
  EXPECT_EQ(back.subject, who.subject);
  EXPECT_EQ(back.display_name, who.display_name);
  EXPECT_EQ(back.room, who.room);
  EXPECT_EQ(back.role, who.role);
}

TEST(packed_identity, empty_strings_survive) {
  const packed_identity packed(core::identity{"", "", "", v1::ROLE_OBSERVER});
  ASSERT_TRUE(packed);
  EXPECT_TRUE(packed.room().empty());
  const core::identity back = packed.unpack();
  EXPECT_TRUE(back.subject.empty());
  EXPECT_TRUE(back.display_name.empty());
  EXPECT_EQ(back.role, v1::ROLE_OBSERVER);
}

}  // namespace
}  // namespace hearth::net
