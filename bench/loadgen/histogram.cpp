#include "histogram.hpp"

#include <bit>
#include <cmath>

namespace hearth::bench {

unsigned histogram::index_of(std::uint64_t value) {
  if (value < sub_count) {
    return static_cast<unsigned>(value);  // the first range is exact
  }
  const auto magnitude = static_cast<unsigned>(std::bit_width(value)) - sub_bits - 1;
  const auto sub = static_cast<unsigned>(value >> magnitude) - sub_count;
  return (magnitude + 1) * sub_count + sub;
}

std::uint64_t histogram::upper_edge(unsigned index) {
  if (index < sub_count) {
    return index;
  }
  const unsigned magnitude = index / sub_count - 1;
  const std::uint64_t sub = index % sub_count + sub_count;
  return ((sub + 1) << magnitude) - 1;
}

void histogram::record(std::uint64_t value) {
  ++counts_[index_of(value)];
  ++count_;
  if (value > max_) {
    max_ = value;
  }
}

void histogram::merge(const histogram& other) {
  for (unsigned i = 0; i < bucket_count; ++i) {
    counts_[i] += other.counts_[i];
  }
  count_ += other.count_;
  if (other.max_ > max_) {
    max_ = other.max_;
  }
}

std::uint64_t histogram::percentile(double fraction) const {
  if (count_ == 0) {
    return 0;
  }
  const auto rank = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (unsigned i = 0; i < bucket_count; ++i) {
    seen += counts_[i];
    if (seen >= rank && counts_[i] != 0) {
      const auto edge = upper_edge(i);
      return edge < max_ ? edge : max_;
    }
  }
  return max_;
}

}  // namespace hearth::bench
