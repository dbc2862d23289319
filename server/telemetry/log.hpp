// Structured logs: one JSON object per line on stderr. Fields are ids, codes
// and counts chosen by the caller; by rule, never chat text, worksheet text,
// display names or tokens.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <variant>

namespace hearth::telemetry {

enum class level : std::uint8_t { debug, info, warn, error };

struct field {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, std::uint64_t, bool> value;
};

void set_min_level(level min);
void log(level lvl, std::string_view event, std::initializer_list<field> fields = {});

}  // namespace hearth::telemetry
