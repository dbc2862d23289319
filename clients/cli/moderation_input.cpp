// Moderation commands typed in the terminal client.
#include "moderation_input.hpp"

#include <sstream>
#include <vector>

#include "command_words.hpp"

namespace hearth::cli {
namespace {

// "chat", "floor", or nothing for both.
bool what(const std::vector<std::string>& args, std::size_t at, bool& chat, bool& floor) {
  if (args.size() <= at) {
    chat = floor = true;
    return true;
  }
  if (args.size() > at + 1) {
    return false;
  }
  chat = args[at] == "chat";
  floor = args[at] == "floor";
  return chat || floor;
}

}  // namespace

const char* const moderation_help =
    "moderation (facilitators): /mute ID [chat|floor], /unmute ID [chat|floor],\n"
    "  /muteall [chat|floor] [self], /unmuteall, /remove ID, /lock, /unlock, /end,\n"
    "  /delete SEQ, /promote ID, /demote ID, /break [MINUTES] (a break, with a countdown\n"
    "  when given), /endbreak, /lead ID (hand the lead to co-facilitator ID);\n"
    "  everyone: /unmute (lift your own mute, when allowed)\n";

std::optional<v1::Moderation> parse_moderation_command(const std::string& line,
                                                       std::string& error) {
  auto args = words(line);
  if (args.empty()) {
    return std::nullopt;
  }
  const std::string verb = args[0];
  v1::Moderation c;
  std::uint32_t n = 0;
  bool chat = false;
  bool floor = false;
  auto bad = [&]() -> std::optional<v1::Moderation> {
    error = "usage:\n" + std::string(moderation_help);
    return v1::Moderation{};
  };
  auto one_number = [&]() { return args.size() == 2 && number(args[1], n); };

  if (verb == "/mute" || (verb == "/unmute" && args.size() > 1)) {
    if (args.size() < 2 || !number(args[1], n) || !what(args, 2, chat, floor)) return bad();
    if (verb == "/mute") {
      c.mutable_mute()->set_member_id(n);
      c.mutable_mute()->set_chat(chat);
      c.mutable_mute()->set_floor(floor);
    } else {
      c.mutable_unmute()->set_member_id(n);
      c.mutable_unmute()->set_chat(chat);
      c.mutable_unmute()->set_floor(floor);
    }
  } else if (verb == "/unmute") {
    c.mutable_unmute_self();
  } else if (verb == "/muteall") {
    const bool self = args.size() > 1 && args.back() == "self";
    if (self) {
      args.pop_back();
    }
    if (!what(args, 1, chat, floor)) return bad();
    c.mutable_mute_all()->set_chat(chat);
    c.mutable_mute_all()->set_floor(floor);
    c.mutable_mute_all()->set_allow_self_unmute(self);
  } else if (verb == "/unmuteall") {
    if (args.size() != 1) return bad();
    c.mutable_unmute_all();
  } else if (verb == "/remove") {
    if (!one_number()) return bad();
    c.mutable_remove()->set_member_id(n);
  } else if (verb == "/lock" || verb == "/unlock" || verb == "/end") {
    if (args.size() != 1) return bad();
    if (verb == "/lock") {
      c.mutable_lock();
    } else if (verb == "/unlock") {
      c.mutable_unlock();
    } else {
      c.mutable_end_session();
    }
  } else if (verb == "/break") {
    if (args.size() > 2 || (args.size() == 2 && !number(args[1], n))) return bad();
    constexpr std::uint32_t minute_ms = 60'000;
    if (n > 24 * 60) return bad();  // a day in minutes: far beyond any limit the server allows
    c.mutable_start_break()->set_duration_ms(n * minute_ms);
  } else if (verb == "/lead") {
    if (!one_number()) return bad();
    c.mutable_transfer_lead()->set_member_id(n);
  } else if (verb == "/endbreak") {
    if (args.size() != 1) return bad();
    c.mutable_end_break();
  } else if (verb == "/delete") {
    if (!one_number()) return bad();
    c.mutable_delete_chat()->set_seq(n);
  } else if (verb == "/promote" || verb == "/demote") {
    if (!one_number()) return bad();
    c.mutable_set_role()->set_member_id(n);
    // Demoting asks for the member's own role back (ROLE_UNSPECIFIED).
    c.mutable_set_role()->set_role(verb == "/promote" ? v1::ROLE_CO_FACILITATOR
                                                      : v1::ROLE_UNSPECIFIED);
  } else {
    return std::nullopt;
  }
  return c;
}

}  // namespace hearth::cli
