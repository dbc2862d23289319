// Lobby commands typed in the terminal client (facilitators): "/admit ID",
// "/admitall", "/deny ID", "/denyall", "/banwaiting ID", "/stepout ID",
// "/lobbymsg [TEXT]", and the bans "/ban ID", "/unban BANID".
#pragma once

#include <optional>
#include <string>

#include "hearth/v1/envelope.pb.h"

namespace hearth::cli {

// Parses one line. nullopt when the line is not a lobby command; `error` is
// set when it is one but its arguments are wrong. The result is a
// LobbyCommand, or a Moderation for /ban and /unban; the request id is left
// for the sender to set.
std::optional<v1::ClientMessage> parse_lobby_command(const std::string& line, std::string& error);

extern const char* const lobby_help;

}  // namespace hearth::cli
