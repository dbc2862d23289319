// The chat kept for snapshots: both bounds, the reused buffers, deletions,
// and a randomized run against a plain model.
#include "core/recent_chats.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <vector>

namespace hearth::core {
namespace {

v1::ChatMessage text_of(std::size_t bytes, char fill = 'x') {
  v1::ChatMessage m;
  m.set_text(std::string(bytes, fill));
  m.set_from_member_id(7);
  m.set_scope(v1::CHAT_SCOPE_ROOM);
  return m;
}

std::vector<std::uint32_t> seqs(const recent_chats& kept) {
  std::vector<std::uint32_t> out;
  for (const auto& chat : kept) {
    out.push_back(chat.seq());
  }
  return out;
}

TEST(recent_chats, keeps_the_last_messages_by_count) {
  recent_chats kept(3, 1'000'000);
  for (std::uint32_t seq = 1; seq <= 8; ++seq) {
    kept.keep(text_of(seq), seq);
  }
  EXPECT_EQ(seqs(kept), (std::vector<std::uint32_t>{6, 7, 8}));
  for (const auto& chat : kept) {
    EXPECT_EQ(chat.text(), std::string(chat.seq(), 'x'));  // nothing left of a reused one
    EXPECT_EQ(chat.from_member_id(), 7U);
  }
  EXPECT_EQ(kept.check_bounds(), "");
}

TEST(recent_chats, keeps_the_last_messages_by_bytes) {
  recent_chats kept(50, 1000);
  for (std::uint32_t seq = 1; seq <= 10; ++seq) {
    kept.keep(text_of(300), seq);
    EXPECT_LE(kept.bytes(), 1000U) << seq;
  }
  EXPECT_EQ(seqs(kept), (std::vector<std::uint32_t>{8, 9, 10}));
  EXPECT_EQ(kept.check_bounds(), "");
}

// A long message among short ones pushes several out at once. Its buffer is
// not reused for a short one: it would stay in the ring, counted in full,
// and leave room for ever fewer messages.
TEST(recent_chats, a_long_message_pushes_out_short_ones_and_its_buffer_goes_with_it) {
  recent_chats kept(5, 1000);
  for (std::uint32_t seq = 1; seq <= 5; ++seq) {
    kept.keep(text_of(100), seq);
  }
  kept.keep(text_of(900), 6);
  EXPECT_EQ(seqs(kept), (std::vector<std::uint32_t>{5, 6}));
  kept.keep(text_of(20), 7);
  EXPECT_EQ(seqs(kept), (std::vector<std::uint32_t>{6, 7}));
  for (std::uint32_t seq = 7; seq <= 20; ++seq) {
    kept.keep(text_of(20), seq);
    EXPECT_LE(kept.bytes(), 1000U) << seq;
    EXPECT_EQ(kept.check_bounds(), "") << seq;
  }
  EXPECT_EQ(seqs(kept), (std::vector<std::uint32_t>{16, 17, 18, 19, 20}));
}

TEST(recent_chats, a_message_larger_than_the_bound_clears_what_came_before) {
  recent_chats kept(5, 1000);
  kept.keep(text_of(10), 1);
  kept.keep(text_of(10), 2);
  kept.keep(text_of(1001), 3);
  EXPECT_EQ(kept.size(), 0U);  // a snapshot never skips the newest chat
  EXPECT_EQ(kept.bytes(), 0U);
  kept.keep(text_of(1000), 4);
  EXPECT_EQ(seqs(kept), (std::vector<std::uint32_t>{4}));
  EXPECT_EQ(kept.check_bounds(), "");
}

TEST(recent_chats, none_kept_with_a_count_of_zero) {
  recent_chats kept(0, 1000);
  kept.keep(text_of(10), 1);
  EXPECT_EQ(kept.size(), 0U);
}

TEST(recent_chats, a_deleted_message_goes_and_its_bytes_with_it) {
  recent_chats kept(5, 1000);
  kept.keep(text_of(100, 'a'), 1);
  kept.keep(text_of(200, 'b'), 2);
  kept.keep(text_of(300, 'c'), 3);
  const std::size_t before = kept.bytes();
  kept.erase(2);
  EXPECT_EQ(seqs(kept), (std::vector<std::uint32_t>{1, 3}));
  EXPECT_LE(kept.bytes(), before - 200);
  EXPECT_EQ(kept.begin()->text(), std::string(100, 'a'));
  EXPECT_EQ(kept.check_bounds(), "");
  kept.erase(9);  // not kept: nothing changes
  EXPECT_EQ(kept.size(), 2U);
}

// Random lengths, bounds and deletions against a model that keeps every
// message: what is kept is always the latest undeleted messages, each intact,
// within both bounds, as many as fit by their texts' sizes at least.
TEST(recent_chats, randomized_against_a_model) {
  std::uint64_t seed = std::random_device{}();
  if (const char* fixed = std::getenv("HEARTH_TEST_SEED")) {
    seed = std::strtoull(fixed, nullptr, 10);
  }
  std::cout << "recent_chats seed " << seed << " (HEARTH_TEST_SEED=" << seed << " replays it)"
            << std::endl;
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 200; ++round) {
    const auto max_messages = static_cast<std::uint32_t>(rng() % 12);
    const std::size_t max_bytes = 16 + rng() % 2000;
    recent_chats kept(max_messages, max_bytes);
    std::vector<std::pair<std::uint32_t, std::size_t>> model;  // seq, size; undeleted
    for (std::uint32_t seq = 1; seq <= 300; ++seq) {
      if (rng() % 8 == 0 && !model.empty()) {
        const auto victim = model[rng() % model.size()].first;
        kept.erase(victim);
        std::erase_if(model, [victim](const auto& m) { return m.first == victim; });
      }
      const std::size_t size = rng() % 4 == 0 ? rng() % (max_bytes + 100) : rng() % 40;
      kept.keep(text_of(size, static_cast<char>('a' + seq % 26)), seq);
      if (size > max_bytes) {
        model.clear();
      } else {
        model.emplace_back(seq, size);
      }
      ASSERT_EQ(kept.check_bounds(), "") << "seed " << seed << " seq " << seq;
      // The kept ones are the model's last ones, in order.
      ASSERT_LE(kept.size(), model.size()) << "seed " << seed;
      std::size_t i = model.size() - kept.size();
      std::size_t sizes = 0;
      for (const auto& chat : kept) {
        ASSERT_EQ(chat.seq(), model[i].first) << "seed " << seed << " seq " << seq;
        ASSERT_EQ(chat.text(),
                  std::string(model[i].second, static_cast<char>('a' + chat.seq() % 26)));
        sizes += model[i].second;
        ++i;
      }
      if (max_messages > 0 && size <= max_bytes) {
        ASSERT_GE(kept.size(), 1U) << "seed " << seed << " seq " << seq;
      }
      ASSERT_LE(sizes, max_bytes);
    }
  }
}

}  // namespace
}  // namespace hearth::core
