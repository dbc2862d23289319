// An encoded message, read-only once made, shared by every queue it is
// delivered to and by the room's history. One heap block holds the reference
// count, the size and the bytes: making one is one allocation (a shared_ptr
// to a std::string took two), and a recipient's write reads one place.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

namespace hearth::core {

class shared_bytes {
 public:
  shared_bytes() noexcept = default;

  // A block of `size` bytes that `fill(char*)` writes, once, before anyone
  // else can see it.
  template <typename Fill>
  static shared_bytes make(std::size_t size, Fill&& fill) {
    void* memory = ::operator new(sizeof(header) + size);
    auto* h = new (memory) header{{1}, size};
    std::forward<Fill>(fill)(bytes_of(h));
    return shared_bytes(h);
  }
  static shared_bytes copy_of(std::string_view bytes) {
    return make(bytes.size(), [bytes](char* out) {
      if (!bytes.empty()) {
        std::memcpy(out, bytes.data(), bytes.size());
      }
    });
  }

  shared_bytes(const shared_bytes& other) noexcept : header_(other.header_) {
    if (header_ != nullptr) {
      header_->refs.fetch_add(1, std::memory_order_relaxed);
    }
  }
  shared_bytes(shared_bytes&& other) noexcept : header_(std::exchange(other.header_, nullptr)) {}
  shared_bytes& operator=(const shared_bytes& other) noexcept {
    shared_bytes(other).swap(*this);
    return *this;
  }
  shared_bytes& operator=(shared_bytes&& other) noexcept {
    shared_bytes(std::move(other)).swap(*this);
    return *this;
  }
  ~shared_bytes() { release(); }

  void swap(shared_bytes& other) noexcept { std::swap(header_, other.header_); }
  void reset() noexcept { shared_bytes().swap(*this); }

  explicit operator bool() const noexcept { return header_ != nullptr; }
  const char* data() const noexcept { return header_ == nullptr ? nullptr : bytes_of(header_); }
  std::size_t size() const noexcept { return header_ == nullptr ? 0 : header_->size; }
  std::string_view view() const noexcept { return {data(), size()}; }
  // How many hold these bytes (for tests; racy while others copy or drop it).
  std::size_t use_count() const noexcept {
    return header_ == nullptr ? 0 : header_->refs.load(std::memory_order_relaxed);
  }

 private:
  struct header {
    std::atomic<std::size_t> refs;
    std::size_t size;
  };
  static char* bytes_of(header* h) noexcept { return reinterpret_cast<char*>(h + 1); }

  explicit shared_bytes(header* h) noexcept : header_(h) {}

  void release() noexcept {
    // The last holder frees: acquire makes every other holder's reads happen
    // before, release orders this holder's own.
    if (header_ != nullptr && header_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      header_->~header();
      ::operator delete(header_);
    }
    header_ = nullptr;
  }

  header* header_ = nullptr;
};

}  // namespace hearth::core
