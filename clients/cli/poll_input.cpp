// Check-in poll commands typed in the terminal client.
#include "poll_input.hpp"

#include "command_words.hpp"

namespace hearth::cli {

const char* const poll_help =
    "polls: /poll scale MIN MAX QUESTION, /poll choices A|B|C QUESTION (facilitators;\n"
    "  \"/poll group ...\": everyone sees the counts when it closes), /closepoll ID,\n"
    "  /answer ID VALUE (participants and family: a scale value or a choice's number)\n";

namespace {

// The line after its first `n` words, without the spaces around it.
std::string after_words(const std::string& line, std::size_t n) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < n; ++i) {
    at = line.find_first_not_of(" \t", at);
    at = at == std::string::npos ? line.size() : line.find_first_of(" \t", at);
    if (at == std::string::npos) {
      return {};
    }
  }
  const auto start = line.find_first_not_of(" \t", at);
  if (start == std::string::npos) {
    return {};
  }
  return line.substr(start, line.find_last_not_of(" \t") - start + 1);
}

std::vector<std::string> split_choices(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (auto bar = text.find('|'); bar != std::string::npos; bar = text.find('|', start)) {
    out.push_back(text.substr(start, bar - start));
    start = bar + 1;
  }
  out.push_back(text.substr(start));
  return out;
}

}  // namespace

std::optional<v1::ClientMessage> parse_poll_command(const std::string& line,
                                                    const event_formatter& seen,
                                                    std::string& error) {
  const auto args = words(line);
  if (args.empty()) {
    return std::nullopt;
  }
  const std::string& verb = args[0];
  v1::ClientMessage m;
  auto bad = [&]() -> std::optional<v1::ClientMessage> {
    error = "usage:\n" + std::string(poll_help);
    return v1::ClientMessage{};
  };

  if (verb == "/poll") {
    const bool group = args.size() > 1 && args[1] == "group";
    const std::size_t kind = group ? 2 : 1;
    auto* start = m.mutable_poll()->mutable_start();
    start->set_visibility(group ? v1::POLL_VISIBILITY_GROUP_AGGREGATE
                                : v1::POLL_VISIBILITY_FACILITATORS);
    std::uint32_t min = 0;
    std::uint32_t max = 0;
    if (args.size() > kind + 3 && args[kind] == "scale" && number(args[kind + 1], min) &&
        number(args[kind + 2], max)) {
      start->mutable_scale()->set_min(min);
      start->mutable_scale()->set_max(max);
      start->set_question(after_words(line, kind + 3));
    } else if (args.size() > kind + 2 && args[kind] == "choices") {
      for (auto& choice : split_choices(args[kind + 1])) {
        start->mutable_choices()->add_choices(std::move(choice));
      }
      start->set_question(after_words(line, kind + 2));
    } else {
      return bad();
    }
  } else if (verb == "/answer") {
    std::uint32_t id = 0;
    std::uint32_t n = 0;
    if (args.size() != 3 || !number(args[1], id) || !number(args[2], n)) return bad();
    auto* answer = m.mutable_poll()->mutable_answer();
    answer->set_poll_id(id);
    if (seen.poll_has_choices(id).value_or(false)) {
      answer->set_choice(n);
    } else {
      answer->set_value(n);
    }
  } else if (verb == "/closepoll") {
    std::uint32_t id = 0;
    if (args.size() != 2 || !number(args[1], id)) return bad();
    m.mutable_poll()->mutable_close()->set_poll_id(id);
  } else {
    return std::nullopt;
  }
  return m;
}

}  // namespace hearth::cli
