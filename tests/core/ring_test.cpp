// core::ring against std::deque, the container it replaces: the same random
// sequence of pushes, pops, recycles, removals and copies must leave the same
// contents.
// The seed is printed; HEARTH_TEST_SEED=N replays one run.
#include "core/ring.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace hearth::core {
namespace {

// Elements own memory, so a leaked or double-destroyed slot shows under the
// sanitizers, and a moved-from one shows as a wrong value.
using item = std::unique_ptr<std::string>;

std::vector<std::string> contents(const ring<item>& r) {
  std::vector<std::string> out;
  for (const auto& p : r) {
    out.push_back(*p);
  }
  return out;
}

std::vector<std::string> contents(const std::deque<std::string>& d) { return {d.begin(), d.end()}; }

TEST(ring, allocates_nothing_until_used_and_keeps_fifo_order) {
  ring<int> r;
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.begin(), r.end());
  for (int i = 0; i < 10; ++i) {
    r.push_back(i);
  }
  r.pop_front();
  r.pop_front();
  r.push_back(10);
  ASSERT_EQ(r.size(), 9U);
  EXPECT_EQ(r.front(), 2);
  EXPECT_EQ(r.back(), 10);
  EXPECT_EQ(r[3], 5);
  EXPECT_EQ(*std::lower_bound(r.begin(), r.end(), 7), 7);
  EXPECT_EQ(std::vector<int>(r.rbegin(), r.rbegin() + 3), (std::vector<int>{10, 9, 8}));
  EXPECT_EQ(r.erase_if([](int v) { return v % 2 == 0; }), 5U);
  EXPECT_EQ(std::vector<int>(r.begin(), r.end()), (std::vector<int>{3, 5, 7, 9}));
  ring<int> copy = r;
  r.clear();
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(copy.size(), 4U);
  ring<int> moved = std::move(copy);
  EXPECT_EQ(moved.back(), 9);
}

TEST(ring, recycles_the_oldest_as_the_newest_full_or_not) {
  ring<int> r;
  for (int i = 0; i < 4; ++i) {
    r.push_back(i);  // exactly the first capacity (4)
  }
  r.recycle_front() = 4;
  EXPECT_EQ(std::vector<int>(r.begin(), r.end()), (std::vector<int>{1, 2, 3, 4}));
  r.push_back(5);  // grows to 8, five held
  r.pop_front();
  r.recycle_front() = 6;
  r.recycle_front() = 7;
  EXPECT_EQ(std::vector<int>(r.begin(), r.end()), (std::vector<int>{4, 5, 6, 7}));
  for (int i = 8; i < 30; ++i) {
    r.recycle_front() = i;  // wraps the array several times
  }
  EXPECT_EQ(std::vector<int>(r.begin(), r.end()), (std::vector<int>{26, 27, 28, 29}));
  ring<int> one;
  one.push_back(1);
  one.recycle_front() = 2;
  EXPECT_EQ(one.front(), 2);
  EXPECT_EQ(one.size(), 1U);
}

TEST(ring, matches_a_deque_under_random_use) {
  std::uint64_t seed = std::random_device{}();
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any test thread exists
  if (const char* fixed = std::getenv("HEARTH_TEST_SEED")) {
    seed = std::strtoull(fixed, nullptr, 10);
  }
  std::cout << "ring seed " << seed << " (HEARTH_TEST_SEED=" << seed << " replays it)" << std::endl;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  ring<item> r;
  std::deque<std::string> expected;
  int next = 0;
  for (int step = 0; step < 20'000; ++step) {
    const auto choice = random() % 100;
    if (choice < 50) {
      const std::string value = "v" + std::to_string(next++);
      r.emplace_back(std::make_unique<std::string>(value));
      expected.push_back(value);
    } else if (choice < 85) {
      if (!expected.empty()) {
        r.pop_front();
        expected.pop_front();
      }
    } else if (choice < 90) {
      if (!expected.empty()) {
        // The oldest element itself becomes the newest, whatever it owns kept.
        const std::string* oldest = r.front().get();
        item& newest = r.recycle_front();
        ASSERT_EQ(newest.get(), oldest) << "step " << step;
        ASSERT_EQ(&newest, &r.back()) << "step " << step;
        const std::string value = "v" + std::to_string(next++);
        *newest = value;
        expected.pop_front();
        expected.push_back(value);
      }
    } else if (choice < 95) {
      const auto modulus = 2 + random() % 5;
      const auto odd = [&](const std::string& v) { return std::stoul(v.substr(1)) % modulus == 1; };
      const auto removed = r.erase_if([&](const item& p) { return odd(*p); });
      EXPECT_EQ(removed, static_cast<std::size_t>(std::erase_if(expected, odd)));
    } else if (choice < 97) {
      ring<item> other;
      other.swap(r);
      r = std::move(other);
    } else {
      ring<int> numbers;
      for (const auto& p : r) {
        numbers.push_back(std::stoi(p->substr(1)));
      }
      EXPECT_TRUE(std::is_sorted(numbers.begin(), numbers.end()));
    }
    ASSERT_EQ(r.size(), expected.size()) << "step " << step;
    if (step % 97 == 0) {
      ASSERT_EQ(contents(r), contents(expected)) << "step " << step;
    }
  }
  EXPECT_EQ(contents(r), contents(expected));
}

}  // namespace
}  // namespace hearth::core
