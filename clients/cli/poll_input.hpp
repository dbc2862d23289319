// Check-in poll commands typed in the terminal client: "/poll [group] scale
// MIN MAX QUESTION", "/poll [group] choices A|B|C QUESTION", "/answer ID VALUE",
// "/closepoll ID".
#pragma once

#include <optional>
#include <string>

#include "event_format.hpp"
#include "hearth/v1/envelope.pb.h"

namespace hearth::cli {

// Parses one line. nullopt when the line is not a poll command; `error` is
// set when it is one but its arguments are wrong. "/answer" sends a choice or
// a value by the kind of the poll as `seen` knows it (a value when unknown).
// The request id is left for the sender to set.
std::optional<v1::ClientMessage> parse_poll_command(const std::string& line,
                                                    const event_formatter& seen,
                                                    std::string& error);

extern const char* const poll_help;

}  // namespace hearth::cli
