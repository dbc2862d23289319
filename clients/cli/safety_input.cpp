// Safety commands typed in the terminal client.
#include "safety_input.hpp"

#include "command_words.hpp"

namespace hearth::cli {
const char* const safety_help =
    "safety: /distress (alert the facilitators privately), /ack ID (facilitators),\n"
    "  /pm ID TEXT (a private message to member ID)\n";

std::optional<v1::ClientMessage> parse_safety_command(const std::string& line,
                                                      std::uint64_t client_msg_id,
                                                      std::string& error) {
  const auto space = line.find(' ');
  const std::string verb = line.substr(0, space);
  const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
  v1::ClientMessage m;
  auto bad = [&]() -> std::optional<v1::ClientMessage> {
    error = "usage:\n" + std::string(safety_help);
    return v1::ClientMessage{};
  };

  if (verb == "/distress") {
    if (rest.find_first_not_of(' ') != std::string::npos) return bad();
    m.mutable_signal_distress();
  } else if (verb == "/ack") {
    std::uint32_t id = 0;
    const auto start = rest.find_first_not_of(' ');
    const auto end = rest.find_last_not_of(' ');
    if (start == std::string::npos || !number(rest.substr(start, end - start + 1), id)) {
      return bad();
    }
    m.mutable_acknowledge_distress()->set_signal_id(id);
  } else if (verb == "/pm") {
    const auto id_end = rest.find(' ');
    std::uint32_t to = 0;
    if (id_end == std::string::npos || !number(rest.substr(0, id_end), to)) return bad();
    const std::string text = rest.substr(id_end + 1);
    if (text.find_first_not_of(' ') == std::string::npos) return bad();
    auto* chat = m.mutable_send_chat();
    chat->set_text(text);
    chat->set_scope(v1::CHAT_SCOPE_PRIVATE);
    chat->set_to_member_id(to);
    chat->set_client_msg_id(client_msg_id);
  } else {
    return std::nullopt;
  }
  return m;
}

}  // namespace hearth::cli
