#include "report.hpp"

#include <array>
#include <cmath>
#include <cstdio>

namespace hearth::bench {

void report::key(std::string_view k) {
  if (!body_.empty()) {
    body_ += ",";
  }
  body_ += quote(k);
  body_ += ":";
}

std::string report::quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      std::array<char, 8> escaped{};
      std::snprintf(escaped.data(), escaped.size(), "\\u%04x", static_cast<unsigned>(c));
      out += escaped.data();
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string report::number(double value) {
  if (!std::isfinite(value)) {
    return "null";
  }
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), "%.6g", value);
  return text.data();
}

void report::set(std::string_view k, std::string_view value) {
  key(k);
  body_ += quote(value);
}

void report::set(std::string_view k, double value) {
  key(k);
  body_ += number(value);
}

void report::set(std::string_view k, std::uint64_t value) {
  key(k);
  body_ += std::to_string(value);
}

void report::set(std::string_view k, bool value) {
  key(k);
  body_ += value ? "true" : "false";
}

void report::set_null(std::string_view k) {
  key(k);
  body_ += "null";
}

void report::set_kb(std::string_view k, std::optional<std::uint64_t> kb) {
  if (kb) {
    set(k, *kb);
  } else {
    set_null(k);
  }
}

void report::set_latency(std::string_view k, const histogram& h) {
  key(k);
  const auto us = [&](double fraction) {
    return number(static_cast<double>(h.percentile(fraction)) / 1e3);
  };
  body_ += "{\"p50\":" + us(0.5) + ",\"p90\":" + us(0.9) + ",\"p99\":" + us(0.99) +
           ",\"p999\":" + us(0.999) + ",\"max\":" + number(static_cast<double>(h.max()) / 1e3) +
           ",\"count\":" + std::to_string(h.count()) + "}";
}

void report::set_strings(std::string_view k, const std::vector<std::string>& values) {
  key(k);
  body_ += "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    body_ += (i == 0 ? "" : ",") + quote(values[i]);
  }
  body_ += "]";
}

}  // namespace hearth::bench
