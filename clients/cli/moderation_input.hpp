// Moderation commands typed in the terminal client: "/mute ID [chat|floor]",
// "/unmute [ID]", "/muteall", "/unmuteall", "/remove ID", "/lock", "/unlock",
// "/end", "/delete SEQ", "/promote ID", "/demote ID".
#pragma once

#include <optional>
#include <string>

#include "hearth/v1/moderation.pb.h"

namespace hearth::cli {

// Parses one line. nullopt when the line is not a moderation command; `error`
// is set when it is one but its arguments are wrong.
std::optional<v1::Moderation> parse_moderation_command(const std::string& line, std::string& error);

extern const char* const moderation_help;

}  // namespace hearth::cli
