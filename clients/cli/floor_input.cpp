// Floor commands typed in the terminal client.
#include "floor_input.hpp"

#include <sstream>
#include <vector>

#include "command_words.hpp"

namespace hearth::cli {
namespace {

// "90" seconds, optional "15" seconds of warning, then keywords: "notify"
// (the turn goes on past its budget), and `extra` ("pause" for settings,
// "leave-out" for rounds), which sets `*flag`.
bool timing(const std::vector<std::string>& args, std::size_t from, v1::TurnTiming& out,
            const char* extra = nullptr, bool* flag = nullptr) {
  std::uint32_t seconds[2] = {0, 0};
  for (std::uint32_t& value : seconds) {
    if (from < args.size() && number(args[from], value)) {
      ++from;
    }
  }
  for (; from < args.size(); ++from) {
    if (args[from] == "notify") {
      out.set_on_expiry(v1::EXPIRY_ACTION_NOTIFY);
    } else if (extra != nullptr && args[from] == extra) {
      *flag = true;
    } else {
      return false;
    }
  }
  out.set_budget_ms(seconds[0] * 1000U);
  out.set_warning_before_ms(seconds[1] * 1000U);
  return true;
}

}  // namespace

const char* const floor_help =
    "floor: /hand, /lower [ID], /take, /done, /pass, /piece ID\n"
    "facilitators: /mode open|moderated|piece,\n"
    "  /timing SECS [WARN_SECS] [notify] [pause], /grant [ID], /revoke, /move ID POS,\n"
    "  /round [roster|shuffle|ID,ID,..] [SECS [WARN_SECS]] [notify] [leave-out],\n"
    "  /skip, /extend SECS, /pause, /resume, /reorder ID,ID,.., /endround, /airtime\n";

std::optional<v1::FloorCommand> parse_floor_command(const std::string& line, std::string& error) {
  const auto args = words(line);
  if (args.empty()) {
    return std::nullopt;
  }
  const std::string& verb = args[0];
  v1::FloorCommand c;
  std::uint32_t n = 0;
  auto ids = [&](const std::string& list, auto* repeated) {
    std::istringstream in(list);
    for (std::string item; std::getline(in, item, ',');) {
      std::uint32_t id = 0;
      if (!number(item, id)) {
        return false;
      }
      repeated->Add(id);
    }
    return true;
  };
  auto bad = [&]() -> std::optional<v1::FloorCommand> {
    error = "usage:\n" + std::string(floor_help);
    return v1::FloorCommand{};
  };

  if (verb == "/hand") {
    c.mutable_raise_hand();
  } else if (verb == "/lower") {
    if (args.size() > 1 && !number(args[1], n)) return bad();
    c.mutable_lower_hand()->set_member_id(n);
  } else if (verb == "/take") {
    c.mutable_take_floor();
  } else if (verb == "/done") {
    c.mutable_yield_floor();
  } else if (verb == "/pass") {
    c.mutable_pass_turn();
  } else if (verb == "/piece") {
    if (args.size() != 2 || !number(args[1], n)) return bad();
    c.mutable_pass_piece()->set_to_member_id(n);
  } else if (verb == "/mode") {
    if (args.size() != 2) return bad();
    const auto mode = args[1] == "open"        ? v1::FLOOR_MODE_OPEN
                      : args[1] == "moderated" ? v1::FLOOR_MODE_MODERATED
                      : args[1] == "piece"     ? v1::FLOOR_MODE_TALKING_PIECE
                                               : v1::FLOOR_MODE_UNSPECIFIED;
    if (mode == v1::FLOOR_MODE_UNSPECIFIED) return bad();
    c.mutable_set_mode()->set_mode(mode);
  } else if (verb == "/timing") {
    bool pause = false;
    auto* settings = c.mutable_set_settings();
    if (!timing(args, 1, *settings->mutable_timing(), "pause", &pause)) return bad();
    settings->set_pause_without_facilitator(pause);
  } else if (verb == "/grant") {
    if (args.size() > 1 && !number(args[1], n)) return bad();
    c.mutable_grant_floor()->set_member_id(n);
  } else if (verb == "/revoke") {
    c.mutable_revoke_floor();
  } else if (verb == "/move") {
    std::uint32_t pos = 0;
    if (args.size() != 3 || !number(args[1], n) || !number(args[2], pos)) return bad();
    c.mutable_move_hand()->set_member_id(n);
    c.mutable_move_hand()->set_position(pos);
  } else if (verb == "/round") {
    auto* start = c.mutable_start_round();
    std::size_t next = 1;
    if (args.size() > 1 && args[1] == "shuffle") {
      start->set_order(v1::ROUND_ORDER_SHUFFLED);
      next = 2;
    } else if (args.size() > 1 && args[1] == "roster") {
      start->set_order(v1::ROUND_ORDER_ROSTER);
      next = 2;
    } else if (args.size() > 1 && args[1].find(',') != std::string::npos) {
      start->set_order(v1::ROUND_ORDER_CUSTOM);
      if (!ids(args[1], start->mutable_custom_order())) return bad();
      next = 2;
    }
    bool leave_out = false;
    if (!timing(args, next, *start->mutable_timing(), "leave-out", &leave_out)) return bad();
    start->set_late_joiners(leave_out ? v1::LATE_JOINERS_LEAVE_OUT : v1::LATE_JOINERS_APPEND);
  } else if (verb == "/skip") {
    c.mutable_skip_turn();
  } else if (verb == "/extend") {
    if (args.size() != 2 || !number(args[1], n)) return bad();
    c.mutable_extend_turn()->set_extra_ms(n * 1000U);
  } else if (verb == "/pause") {
    c.mutable_pause();
  } else if (verb == "/resume") {
    c.mutable_resume();
  } else if (verb == "/reorder") {
    if (args.size() != 2 || !ids(args[1], c.mutable_reorder_round()->mutable_member_ids())) {
      return bad();
    }
  } else if (verb == "/endround") {
    c.mutable_end_round();
  } else if (verb == "/airtime") {
    c.mutable_get_airtime();
  } else {
    return std::nullopt;
  }
  return c;
}

}  // namespace hearth::cli
