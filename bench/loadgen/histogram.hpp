// A log-linear latency histogram: values are bucketed by power of two, each
// power split into 128 linear sub-buckets, so any recorded value is reported
// within 1% while memory stays fixed whatever the number of samples.
#pragma once

#include <array>
#include <cstdint>

namespace hearth::bench {

class histogram {
 public:
  void record(std::uint64_t value);
  void merge(const histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  // The value below which `fraction` (0..1) of the samples lie, as the upper
  // edge of its bucket (never under-reports).
  std::uint64_t percentile(double fraction) const;

 private:
  static constexpr unsigned sub_bits = 7;
  static constexpr unsigned sub_count = 1U << sub_bits;
  static constexpr unsigned bucket_count = (64 - sub_bits + 1) * sub_count;

  static unsigned index_of(std::uint64_t value);
  static std::uint64_t upper_edge(unsigned index);

  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace hearth::bench
