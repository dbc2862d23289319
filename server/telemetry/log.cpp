// JSON-lines logger. One write(2) per line so lines from several threads never
// interleave.
#include "telemetry/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>

namespace hearth::telemetry {
namespace {

std::atomic<level> min_level{level::info};

std::string_view level_name(level lvl) {
  switch (lvl) {
    case level::debug:
      return "debug";
    case level::info:
      return "info";
    case level::warn:
      return "warn";
    case level::error:
      return "error";
  }
  return "info";
}

void append_escaped(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

void set_min_level(level min) { min_level.store(min); }

void log(level lvl, std::string_view event, std::initializer_list<field> fields) {
  if (lvl < min_level.load(std::memory_order_relaxed)) {
    return;
  }
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::string line = "{\"ts_ms\":" + std::to_string(now) + ",\"level\":";
  append_escaped(line, level_name(lvl));
  line += ",\"event\":";
  append_escaped(line, event);
  for (const auto& f : fields) {
    line += ',';
    append_escaped(line, f.key);
    line += ':';
    if (const auto* s = std::get_if<std::string_view>(&f.value)) {
      append_escaped(line, *s);
    } else if (const auto* i = std::get_if<std::int64_t>(&f.value)) {
      line += std::to_string(*i);
    } else if (const auto* u = std::get_if<std::uint64_t>(&f.value)) {
      line += std::to_string(*u);
    } else {
      line += std::get<bool>(f.value) ? "true" : "false";
    }
  }
  line += "}\n";
  const char* data = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, data, left);
    if (n <= 0) {
      return;  // nowhere to report a failing log; drop the line
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace hearth::telemetry
