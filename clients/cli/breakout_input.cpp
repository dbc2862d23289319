// Breakout room commands typed in the terminal client.
#include "breakout_input.hpp"

#include "command_words.hpp"

namespace hearth::cli {

const char* const breakout_help =
    "breakout rooms (facilitators): /breakouts even N [SECONDS [WARN]] (N rooms),\n"
    "  /breakouts family [SECONDS [WARN]] (one room per family),\n"
    "  /breakouts hand NAME=ID,ID NAME=ID ... (by hand; names without spaces),\n"
    "  /moveto ID BREAKOUT (0: the main room), /enter BREAKOUT (0: back),\n"
    "  /broadcast TEXT (to every room), /recall (everyone back)\n"
    "breakout rooms (from a breakout): /callfacilitator\n";

namespace {

// SECONDS and WARN after the first `from` words, as the open command's timer.
bool timer(const std::vector<std::string>& args, std::size_t from, v1::OpenBreakouts& open) {
  std::uint32_t seconds = 0;
  std::uint32_t warn = 0;
  if (args.size() > from + 2 || (args.size() > from && !number(args[from], seconds)) ||
      (args.size() > from + 1 && !number(args[from + 1], warn)) || seconds > 86'400 ||
      warn > 86'400) {
    return false;
  }
  open.set_duration_ms(seconds * 1000);
  open.set_warning_ms(warn * 1000);
  return true;
}

// "NAME=ID,ID,..." (no ids: an empty room).
bool plan(const std::string& word, v1::BreakoutPlan& out) {
  const auto eq = word.find('=');
  if (eq == std::string::npos || eq == 0) {
    return false;
  }
  out.set_name(word.substr(0, eq));
  std::string rest = word.substr(eq + 1);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::uint32_t id = 0;
    if (!number(rest.substr(0, comma), id)) {
      return false;
    }
    out.add_member_ids(id);
    rest = comma == std::string::npos ? std::string() : rest.substr(comma + 1);
  }
  return true;
}

}  // namespace

std::optional<v1::ClientMessage> parse_breakout_command(const std::string& line,
                                                        std::string& error) {
  const auto args = words(line);
  if (args.empty()) {
    return std::nullopt;
  }
  const std::string& verb = args[0];
  v1::ClientMessage m;
  auto* c = m.mutable_breakout();
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  auto bad = [&]() -> std::optional<v1::ClientMessage> {
    error = "usage:\n" + std::string(breakout_help);
    return v1::ClientMessage{};
  };

  if (verb == "/breakouts") {
    auto* open = c->mutable_open();
    if (args.size() >= 3 && args[1] == "even" && number(args[2], a)) {
      open->set_split(v1::BREAKOUT_SPLIT_EVEN);
      open->set_count(a);
      if (!timer(args, 3, *open)) return bad();
    } else if (args.size() >= 2 && args[1] == "family") {
      open->set_split(v1::BREAKOUT_SPLIT_BY_FAMILY);
      if (!timer(args, 2, *open)) return bad();
    } else if (args.size() >= 3 && args[1] == "hand") {
      open->set_split(v1::BREAKOUT_SPLIT_BY_HAND);
      for (std::size_t i = 2; i < args.size(); ++i) {
        if (!plan(args[i], *open->add_rooms())) return bad();
      }
    } else {
      return bad();
    }
  } else if (verb == "/moveto") {
    if (args.size() != 3 || !number(args[1], a) || !number(args[2], b)) return bad();
    c->mutable_move()->set_member_id(a);
    c->mutable_move()->set_breakout_id(b);
  } else if (verb == "/enter") {
    if (args.size() != 2 || !number(args[1], a)) return bad();
    c->mutable_enter()->set_breakout_id(a);
  } else if (verb == "/broadcast") {
    const auto start = line.find_first_not_of(" \t", line.find(verb) + verb.size());
    if (start == std::string::npos) return bad();
    c->mutable_broadcast()->set_text(line.substr(start));
  } else if (verb == "/recall") {
    if (args.size() != 1) return bad();
    c->mutable_recall();
  } else if (verb == "/callfacilitator") {
    if (args.size() != 1) return bad();
    c->mutable_call_facilitator();
  } else {
    return std::nullopt;
  }
  return m;
}

}  // namespace hearth::cli
