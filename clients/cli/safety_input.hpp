// Safety commands typed in the terminal client: "/distress", "/ack ID",
// "/pm ID TEXT".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hearth/v1/envelope.pb.h"

namespace hearth::cli {

// Parses one line. nullopt when the line is not a safety command; `error` is
// set when it is one but its arguments are wrong. A private message gets
// `client_msg_id`. The request id is left for the sender to set.
std::optional<v1::ClientMessage> parse_safety_command(const std::string& line,
                                                      std::uint64_t client_msg_id,
                                                      std::string& error);

extern const char* const safety_help;

}  // namespace hearth::cli
