// Request targets and dates.
#include "admin/query.hpp"

#include <cstdio>
#include <ctime>

namespace hearth::admin {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::optional<std::string> decode(const std::string& text, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::optional<target_parts> parse_target(const std::string& target) {
  target_parts out;
  const auto question = target.find('?');
  const std::string path = target.substr(0, question);
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto piece =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!piece.empty()) {
      auto decoded = decode(piece, false);
      if (!decoded) {
        return std::nullopt;
      }
      out.path.push_back(std::move(*decoded));
    }
    if (slash == std::string::npos) {
      break;
    }
    start = slash + 1;
  }
  if (question == std::string::npos) {
    return out;
  }
  const std::string query = target.substr(question + 1);
  start = 0;
  while (start < query.size()) {
    const auto amp = query.find('&', start);
    const auto pair =
        query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      auto key = decode(pair.substr(0, eq), true);
      auto value = decode(eq == std::string::npos ? "" : pair.substr(eq + 1), true);
      if (!key || !value || !out.query.emplace(std::move(*key), std::move(*value)).second) {
        return std::nullopt;
      }
    }
    if (amp == std::string::npos) {
      break;
    }
    start = amp + 1;
  }
  return out;
}

std::optional<std::pair<std::int64_t, std::int64_t>> local_week_ms(const std::string& date) {
  int year = 0;
  int month = 0;
  int day = 0;
  char tail = 0;
  // Exactly YYYY-MM-DD: sscanf alone would take " 2026-1-05" or "2026-+1-05".
  if (date.size() != 10) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < date.size(); ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? date[i] != '-' : (date[i] < '0' || date[i] > '9')) {
      return std::nullopt;
    }
  }
  if (std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3) {
    return std::nullopt;
  }
  auto midnight = [&](int day_offset) -> std::optional<std::int64_t> {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day + day_offset;
    tm.tm_isdst = -1;  // let the zone say whether DST applies
    const std::time_t t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1)) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(t) * 1000;
  };
  // Reject dates mktime would normalize (2026-02-30).
  std::tm check{};
  check.tm_year = year - 1900;
  check.tm_mon = month - 1;
  check.tm_mday = day;
  check.tm_isdst = -1;
  if (std::mktime(&check) == static_cast<std::time_t>(-1) || check.tm_mday != day ||
      check.tm_mon != month - 1) {
    return std::nullopt;
  }
  auto from = midnight(0);
  auto to = midnight(7);
  if (!from || !to) {
    return std::nullopt;
  }
  return std::pair{*from, *to};
}

}  // namespace hearth::admin
