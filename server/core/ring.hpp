// A FIFO that allocates nothing while empty: a circular buffer over one array
// that doubles when full and is released when the FIFO empties. std::deque
// allocates about 600 bytes on construction, and a room keeps several of them
// (histories, recent chat, chat records, polls, each member's dedupe window)
// that are empty for most of a session. Iterators are random access, so
// sorted contents can be binary-searched. Growth moves elements: pointers and
// iterators are valid only until the next push.
#pragma once

#include <cassert>
#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>

namespace hearth::core {

template <typename T>
class ring {
  template <typename Ring, typename Value>
  class basic_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = Value*;
    using reference = Value&;

    basic_iterator() = default;
    basic_iterator(Ring* owner, std::size_t index) : owner_(owner), index_(index) {}

    reference operator*() const { return (*owner_)[index_]; }
    pointer operator->() const { return &(*owner_)[index_]; }
    reference operator[](difference_type n) const { return *(*this + n); }

    basic_iterator& operator++() { return *this += 1; }
    basic_iterator operator++(int) {
      auto old = *this;
      ++*this;
      return old;
    }
    basic_iterator& operator--() { return *this -= 1; }
    basic_iterator operator--(int) {
      auto old = *this;
      --*this;
      return old;
    }
    basic_iterator& operator+=(difference_type n) {
      index_ = static_cast<std::size_t>(static_cast<difference_type>(index_) + n);
      return *this;
    }
    basic_iterator& operator-=(difference_type n) { return *this += -n; }
    friend basic_iterator operator+(basic_iterator it, difference_type n) { return it += n; }
    friend basic_iterator operator+(difference_type n, basic_iterator it) { return it += n; }
    friend basic_iterator operator-(basic_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const basic_iterator& a, const basic_iterator& b) {
      return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
    }
    friend bool operator==(const basic_iterator& a, const basic_iterator& b) {
      return a.index_ == b.index_;
    }
    friend auto operator<=>(const basic_iterator& a, const basic_iterator& b) {
      return a.index_ <=> b.index_;
    }

   private:
    Ring* owner_ = nullptr;
    std::size_t index_ = 0;
  };

 public:
  using value_type = T;
  using iterator = basic_iterator<ring, T>;
  using const_iterator = basic_iterator<const ring, const T>;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  ring() = default;
  ring(const ring& other) { *this = other; }
  ring(ring&& other) noexcept { swap(other); }
  ring& operator=(const ring& other) {
    if (this != &other) {
      clear();
      for (const T& value : other) {
        push_back(value);
      }
    }
    return *this;
  }
  ring& operator=(ring&& other) noexcept {
    ring(std::move(other)).swap(*this);
    return *this;
  }
  ~ring() { clear(); }

  void swap(ring& other) noexcept {
    std::swap(slots_, other.slots_);
    std::swap(capacity_, other.capacity_);
    std::swap(head_, other.head_);
    std::swap(size_, other.size_);
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  T& operator[](std::size_t i) { return *slot(i); }
  const T& operator[](std::size_t i) const { return *slot(i); }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }
  reverse_iterator rbegin() { return reverse_iterator(end()); }
  reverse_iterator rend() { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const { return const_reverse_iterator(begin()); }

  template <typename... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == capacity_) {
      grow();
    }
    T* at = slot(size_);
    std::construct_at(at, std::forward<Args>(args)...);
    ++size_;
    return *at;
  }
  void push_back(const T& value) { emplace_back(value); }
  void push_back(T&& value) { emplace_back(std::move(value)); }

  void pop_front() {
    assert(size_ > 0);
    std::destroy_at(slot(0));
    head_ = (head_ + 1) % capacity_;
    if (--size_ == 0) {
      release();
    }
  }

  // Moves the oldest element to the back, where it is the newest, and returns
  // it: a FIFO kept at a fixed length overwrites it instead of destroying one
  // element and constructing another, so what it owns (a string's buffer)
  // is reused.
  T& recycle_front() {
    assert(size_ > 0);
    head_ = (head_ + 1) % capacity_;
    if (size_ == capacity_) {
      return back();  // the old front's slot is the back's now
    }
    T* oldest = slots_ + (head_ + capacity_ - 1) % capacity_;
    T* to = slot(size_ - 1);
    std::construct_at(to, std::move(*oldest));
    std::destroy_at(oldest);
    return *to;
  }

  // Removes every element for which pred holds, keeping the others' order;
  // returns how many went.
  template <typename Pred>
  std::size_t erase_if(Pred pred) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      if (!pred(std::as_const((*this)[i]))) {
        if (kept != i) {
          (*this)[kept] = std::move((*this)[i]);
        }
        ++kept;
      }
    }
    const std::size_t removed = size_ - kept;
    for (std::size_t i = kept; i < size_; ++i) {
      std::destroy_at(slot(i));
    }
    size_ = kept;
    if (size_ == 0) {
      release();
    }
    return removed;
  }

  void clear() {
    for (std::size_t i = 0; i < size_; ++i) {
      std::destroy_at(slot(i));
    }
    size_ = 0;
    release();
  }

 private:
  T* slot(std::size_t i) const {
    assert(i < capacity_);
    return slots_ + (head_ + i) % capacity_;
  }

  void grow() {
    const std::size_t capacity = capacity_ == 0 ? 4 : capacity_ * 2;
    T* slots = std::allocator<T>().allocate(capacity);
    for (std::size_t i = 0; i < size_; ++i) {
      T* from = slot(i);
      std::construct_at(slots + i, std::move(*from));
      std::destroy_at(from);
    }
    if (slots_ != nullptr) {
      std::allocator<T>().deallocate(slots_, capacity_);
    }
    slots_ = slots;
    capacity_ = capacity;
    head_ = 0;
  }

  void release() {
    if (slots_ != nullptr) {
      std::allocator<T>().deallocate(slots_, capacity_);
    }
    slots_ = nullptr;
    capacity_ = 0;
    head_ = 0;
  }

  T* slots_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace hearth::core
