// Floor commands typed in the terminal client ("/hand", "/round 90 15", ...).
#pragma once

#include <optional>
#include <string>

#include "hearth/v1/floor.pb.h"

namespace hearth::cli {

// Parses one "/command ARGS" line. nullopt when the line is not a floor
// command; `error` is set when it is one but its arguments are wrong.
std::optional<v1::FloorCommand> parse_floor_command(const std::string& line, std::string& error);

extern const char* const floor_help;

}  // namespace hearth::cli
