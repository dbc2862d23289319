// The one-block shared bytes every delivery and the history hold.
#include "core/shared_bytes.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace hearth::core {
namespace {

TEST(shared_bytes, holds_what_it_was_made_with) {
  const auto bytes = shared_bytes::make(5, [](char* out) { std::memcpy(out, "hello", 5); });
  EXPECT_EQ(bytes.view(), "hello");
  EXPECT_EQ(bytes.size(), 5U);
  EXPECT_EQ(shared_bytes::copy_of(std::string(1000, 'z')).view(), std::string(1000, 'z'));
  EXPECT_TRUE(shared_bytes::copy_of("").view().empty());
  EXPECT_TRUE(static_cast<bool>(shared_bytes::copy_of("")));
}

TEST(shared_bytes, an_empty_handle_has_no_bytes) {
  shared_bytes none;
  EXPECT_FALSE(none);
  EXPECT_EQ(none.size(), 0U);
  EXPECT_EQ(none.data(), nullptr);
  EXPECT_EQ(none.use_count(), 0U);
  none.reset();  // resetting nothing is fine
}

TEST(shared_bytes, copies_share_one_block_and_the_last_frees_it) {
  auto first = shared_bytes::copy_of("abc");
  const char* block = first.data();
  {
    const shared_bytes second = first;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(second.data(), block);
    EXPECT_EQ(first.use_count(), 2U);
  }
  EXPECT_EQ(first.use_count(), 1U);

  shared_bytes moved = std::move(first);
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): a moved-from handle is empty
  EXPECT_EQ(moved.data(), block);
  EXPECT_EQ(moved.use_count(), 1U);

  shared_bytes other = shared_bytes::copy_of("xyz");
  other = moved;  // the old block of `other` is released (the sanitizer build checks it)
  EXPECT_EQ(other.data(), block);
  EXPECT_EQ(moved.use_count(), 2U);
  other = std::move(moved);
  EXPECT_EQ(other.use_count(), 1U);
  other = other;  // NOLINT(misc-redundant-expression): self-assignment keeps the bytes
  EXPECT_EQ(other.view(), "abc");
  other.reset();
  EXPECT_FALSE(other);
}

// Rooms on several threads deliver the same event: copies and releases race,
// and the block must be freed exactly once, after the last reader (the
// sanitizer build would report a use after free or a double free).
TEST(shared_bytes, copies_and_releases_on_several_threads_free_once) {
  constexpr int threads = 4;
  constexpr int rounds = 2000;
  for (int round = 0; round < 20; ++round) {
    auto bytes = shared_bytes::copy_of(std::string(64, 'q'));
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([held = bytes] {
        std::vector<shared_bytes> copies;
        for (int i = 0; i < rounds; ++i) {
          copies.push_back(held);
          if (copies.size() > 8) {
            ASSERT_EQ(copies.front().view(), std::string(64, 'q'));
            copies.erase(copies.begin());
          }
        }
      });
    }
    bytes.reset();
    for (auto& w : workers) {
      w.join();
    }
  }
}

}  // namespace
}  // namespace hearth::core
