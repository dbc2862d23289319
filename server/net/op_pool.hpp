// Memory for a connection's asynchronous operations (its read wait, writes and
// posts), from per-thread free lists by 16-byte size class. Asio's recycling
// allocator hands any cached block that is large enough to the next operation,
// so an idle connection's one pending read wait often sat in a block sized for
// an HTTP handshake write, three times what it needs. Here a block returns to
// the list of its own size, and no operation touches malloc once the lists are
// warm. Each list keeps at most `kept_per_class` blocks, so a burst's memory
// goes back to malloc afterwards.
#pragma once

#include <boost/asio/bind_allocator.hpp>
#include <cstddef>
#include <new>
#include <utility>

namespace hearth::net {

namespace op_pool {

inline constexpr std::size_t granule = 16;
inline constexpr std::size_t classes = 48;  // blocks up to 768 bytes; larger go to malloc
inline constexpr std::size_t kept_per_class = 4096;

void* allocate(std::size_t bytes);
void deallocate(void* block, std::size_t bytes) noexcept;

}  // namespace op_pool

template <typename T>
class op_allocator {
 public:
  using value_type = T;

  op_allocator() noexcept = default;
  template <typename U>
  op_allocator(const op_allocator<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor)

  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= alignof(std::max_align_t), "over-aligned operation");
    return static_cast<T*>(op_pool::allocate(n * sizeof(T)));
  }
  void deallocate(T* block, std::size_t n) noexcept { op_pool::deallocate(block, n * sizeof(T)); }

  template <typename U>
  bool operator==(const op_allocator<U>& /*other*/) const noexcept {
    return true;
  }
};

// Binds the pool to a completion handler.
template <typename Handler>
auto pooled(Handler&& handler) {
  return boost::asio::bind_allocator(op_allocator<void>(), std::forward<Handler>(handler));
}

}  // namespace hearth::net
