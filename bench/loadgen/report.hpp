// The generator's result as one line of JSON, fields in insertion order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "histogram.hpp"

namespace hearth::bench {

class report {
 public:
  void set(std::string_view key, std::string_view value);
  void set(std::string_view key, const char* value) { set(key, std::string_view(value)); }
  void set(std::string_view key, const std::string& value) { set(key, std::string_view(value)); }
  void set(std::string_view key, double value);
  void set(std::string_view key, std::uint64_t value);
  void set(std::string_view key, std::uint32_t value) { set(key, std::uint64_t{value}); }
  void set(std::string_view key, bool value);
  void set_null(std::string_view key);
  void set_kb(std::string_view key, std::optional<std::uint64_t> kb);
  // Percentiles of a histogram of nanoseconds, in microseconds.
  void set_latency(std::string_view key, const histogram& h);
  void set_strings(std::string_view key, const std::vector<std::string>& values);

  std::string json() const { return "{" + body_ + "}"; }

 private:
  void key(std::string_view k);
  static std::string quote(std::string_view s);
  static std::string number(double value);

  std::string body_;
};

}  // namespace hearth::bench
