// The operation pool: a freed block serves the next request of its own size
// class only, and blocks of every size are usable for their whole length.
#include "net/op_pool.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace hearth::net {
namespace {

TEST(op_pool, reuses_a_block_for_its_own_size_class_only) {
  void* a = op_pool::allocate(100);
  op_pool::deallocate(a, 100);
  void* larger = op_pool::allocate(300);  // another class: a fresh block
  EXPECT_NE(larger, a);
  void* same_class = op_pool::allocate(110);  // 100 and 110 share the 112-byte class
  EXPECT_EQ(same_class, a);
  op_pool::deallocate(same_class, 110);
  op_pool::deallocate(larger, 300);
}

TEST(op_pool, every_size_is_writable_to_its_end) {
  std::vector<std::pair<void*, std::size_t>> blocks;
  for (std::size_t size = 1; size <= 2000; size += 37) {
    void* block = op_pool::allocate(size);
    std::memset(block, 0xAB, size);  // the sanitizers catch a short block
    blocks.emplace_back(block, size);
  }
  for (auto [block, size] : blocks) {
    op_pool::deallocate(block, size);
  }
}

TEST(op_pool, allocator_binds_to_asio_handlers) {
  op_allocator<int> ints;
  int* p = ints.allocate(4);
  p[3] = 7;
  ints.deallocate(p, 4);
  op_allocator<double> doubles(ints);
  EXPECT_TRUE(doubles == ints);
}

}  // namespace
}  // namespace hearth::net
