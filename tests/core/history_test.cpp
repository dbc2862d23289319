// Replay history bounds and coverage.
#include "core/history.hpp"

#include <gtest/gtest.h>

namespace hearth::core {
namespace {

shared_bytes bytes(std::size_t n) { return shared_bytes::copy_of(std::string(n, 'x')); }

TEST(history_ring, covers_exactly_what_it_holds) {
  history_ring ring(3, 1000);
  for (std::uint32_t seq = 1; seq <= 5; ++seq) {
    ring.append(seq, bytes(10));
  }
  EXPECT_EQ(ring.size(), 3U);  // holds 3, 4, 5
  EXPECT_TRUE(ring.covers(5, 5));
  EXPECT_TRUE(ring.covers(2, 5));
  EXPECT_FALSE(ring.covers(1, 5));
  EXPECT_FALSE(ring.covers(6, 5));  // a position never reached
  EXPECT_EQ(ring.after(2).size(), 3U);
  EXPECT_EQ(ring.after(4).size(), 1U);
  EXPECT_TRUE(ring.after(5).empty());
}

TEST(history_ring, byte_bound_evicts_oldest) {
  history_ring ring(100, 25);
  ring.append(1, bytes(10));
  ring.append(2, bytes(10));
  ring.append(3, bytes(10));
  EXPECT_EQ(ring.size(), 2U);
  EXPECT_EQ(ring.bytes(), 20U);
  EXPECT_FALSE(ring.covers(0, 3));
  EXPECT_TRUE(ring.covers(1, 3));
}

TEST(history_ring, bytes_after_sums_the_replay) {
  history_ring ring(10, 1000);
  ring.append(1, bytes(5));
  ring.append(2, bytes(7));
  ring.append(3, bytes(11));
  EXPECT_EQ(ring.bytes_after(0), 23U);
  EXPECT_EQ(ring.bytes_after(1), 18U);
  EXPECT_EQ(ring.bytes_after(3), 0U);
}

TEST(history_ring, empty_ring_covers_only_the_head) {
  history_ring ring(10, 100);
  EXPECT_TRUE(ring.covers(0, 0));
  EXPECT_FALSE(ring.covers(0, 1));
}

}  // namespace
}  // namespace hearth::core
