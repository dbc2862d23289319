// Lobby commands typed in the terminal client.
#include "lobby_input.hpp"

#include "command_words.hpp"

namespace hearth::cli {

const char* const lobby_help =
    "lobby (facilitators): /admit ID, /admitall, /deny ID, /denyall (ID: a waiting id),\n"
    "  /stepout ID (a member back to the lobby), /lobbymsg [TEXT] (alone: clear),\n"
    "  /ban ID (a member), /banwaiting ID (a waiting id), /unban BANID,\n"
    "  /admitobserver ID (attest the group's consent for waiting observer ID and admit)\n";

std::optional<v1::ClientMessage> parse_lobby_command(const std::string& line, std::string& error) {
  const auto args = words(line);
  if (args.empty()) {
    return std::nullopt;
  }
  const std::string& verb = args[0];
  v1::ClientMessage m;
  std::uint32_t n = 0;
  auto bad = [&]() -> std::optional<v1::ClientMessage> {
    error = "usage:\n" + std::string(lobby_help);
    return v1::ClientMessage{};
  };
  auto one_number = [&]() { return args.size() == 2 && number(args[1], n); };

  if (verb == "/admit" || verb == "/admitobserver") {
    if (!one_number()) return bad();
    m.mutable_lobby()->mutable_admit()->set_waiting_id(n);
    m.mutable_lobby()->mutable_admit()->set_attest_consent(verb == "/admitobserver");
  } else if (verb == "/admitall") {
    if (args.size() != 1) return bad();
    m.mutable_lobby()->mutable_admit_all();
  } else if (verb == "/deny" || verb == "/banwaiting") {
    if (!one_number()) return bad();
    m.mutable_lobby()->mutable_deny()->set_waiting_id(n);
    m.mutable_lobby()->mutable_deny()->set_ban(verb == "/banwaiting");
  } else if (verb == "/denyall") {
    if (args.size() != 1) return bad();
    m.mutable_lobby()->mutable_deny_all();
  } else if (verb == "/stepout") {
    if (!one_number()) return bad();
    m.mutable_lobby()->mutable_step_out()->set_member_id(n);
  } else if (verb == "/lobbymsg") {
    // The rest of the line as typed, without the spaces around it; none clears.
    const auto start = line.find_first_not_of(" \t", line.find(verb) + verb.size());
    const auto end = line.find_last_not_of(" \t");
    m.mutable_lobby()->mutable_set_message()->set_text(
        start == std::string::npos ? std::string{} : line.substr(start, end - start + 1));
  } else if (verb == "/ban") {
    if (!one_number()) return bad();
    m.mutable_moderation()->mutable_ban()->set_member_id(n);
  } else if (verb == "/unban") {
    if (!one_number()) return bad();
    m.mutable_moderation()->mutable_unban()->set_ban_id(n);
  } else {
    return std::nullopt;
  }
  return m;
}

}  // namespace hearth::cli
