// Breakout room commands typed in the terminal client: "/breakouts even N
// [SECONDS [WARN]]", "/breakouts family [SECONDS [WARN]]", "/breakouts hand
// NAME=ID,ID NAME=ID ...", "/moveto ID BREAKOUT", "/enter BREAKOUT",
// "/broadcast TEXT", "/recall", "/callfacilitator".
#pragma once

#include <optional>
#include <string>

#include "hearth/v1/envelope.pb.h"

namespace hearth::cli {

// Parses one line. nullopt when the line is not a breakout command; `error`
// is set when it is one but its arguments are wrong. The request id is left
// for the sender to set.
std::optional<v1::ClientMessage> parse_breakout_command(const std::string& line,
                                                        std::string& error);

extern const char* const breakout_help;

}  // namespace hearth::cli
