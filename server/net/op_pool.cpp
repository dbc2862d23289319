// Per-thread free lists of operation blocks. A block freed on another thread
// than the one that allocated it joins that thread's list: memory moves
// between threads but is never lost, and no list is shared.
#include "net/op_pool.hpp"

#include <array>

namespace hearth::net::op_pool {
namespace {

struct free_block {
  free_block* next;
};

struct free_list {
  free_block* head = nullptr;
  std::size_t count = 0;
};

class thread_lists {
 public:
  thread_lists() = default;
  thread_lists(const thread_lists&) = delete;
  thread_lists& operator=(const thread_lists&) = delete;
  ~thread_lists() {
    for (auto& list : lists_) {
      while (list.head != nullptr) {
        free_block* block = list.head;
        list.head = block->next;
        ::operator delete(block);
      }
    }
  }
  free_list& operator[](std::size_t i) { return lists_[i]; }

 private:
  std::array<free_list, classes> lists_{};
};

thread_lists& lists() {
  thread_local thread_lists mine;
  return mine;
}

// The class of a size, or `classes` when it is too large to pool.
std::size_t class_of(std::size_t bytes) {
  const std::size_t c = (bytes + granule - 1) / granule;
  return c == 0 ? 0 : c - 1;
}

}  // namespace

void* allocate(std::size_t bytes) {
  const std::size_t c = class_of(bytes);
  if (c >= classes) {
    return ::operator new(bytes);
  }
  free_list& list = lists()[c];
  if (list.head != nullptr) {
    free_block* block = list.head;
    list.head = block->next;
    --list.count;
    return block;
  }
  return ::operator new((c + 1) * granule);
}

void deallocate(void* block, std::size_t bytes) noexcept {
  const std::size_t c = class_of(bytes);
  if (c >= classes) {
    ::operator delete(block);
    return;
  }
  free_list& list = lists()[c];
  if (list.count >= kept_per_class) {
    ::operator delete(block);
    return;
  }
  auto* freed = static_cast<free_block*>(block);
  freed->next = list.head;
  list.head = freed;
  ++list.count;
}

}  // namespace hearth::net::op_pool
