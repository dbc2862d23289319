// Keys are base-36 fractions 0.d1d2d3...; the midpoint digit by digit.
#include "worksheets/order_key.hpp"

#include <cassert>

namespace hearth::worksheets {
namespace {

constexpr std::string_view digits = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr int base = 36;
constexpr std::size_t max_key = 64;

int value(char c) { return static_cast<int>(digits.find(c)); }

// lo may be empty (zero); hi empty means one (above every key).
std::string midpoint(std::string_view lo, std::string_view hi, bool hi_is_one) {
  if (!hi_is_one) {
    // Skip the shared prefix (lo padded with zeros).
    std::size_t n = 0;
    while (n < hi.size() && (n < lo.size() ? lo[n] : '0') == hi[n]) {
      ++n;
    }
    if (n > 0) {
      return std::string(hi.substr(0, n)) +
             midpoint(lo.substr(std::min(n, lo.size())), hi.substr(n), false);
    }
  }
  const int a = lo.empty() ? 0 : value(lo[0]);
  const int b = hi_is_one ? base : value(hi[0]);
  if (b - a > 1) {
    return {digits[static_cast<std::size_t>((a + b) / 2)]};
  }
  if (!hi_is_one && hi.size() > 1) {
    return {hi[0]};
  }
  return std::string(1, digits[static_cast<std::size_t>(a)]) +
         midpoint(lo.empty() ? lo : lo.substr(1), {}, true);
}

}  // namespace

bool valid_order_key(std::string_view key) {
  if (key.empty() || key.size() > max_key || key.back() == '0') {
    return false;
  }
  for (const char c : key) {
    if (value(c) < 0) {
      return false;
    }
  }
  return true;
}

std::string key_between(std::string_view lo, std::string_view hi) {
  assert(hi.empty() || lo < hi);
  return midpoint(lo, hi, hi.empty());
}

}  // namespace hearth::worksheets
