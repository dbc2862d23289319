// Pieces shared by the terminal client's command parsers.
#include "command_words.hpp"

#include <sstream>

namespace hearth::cli {

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) {
    out.push_back(w);
  }
  return out;
}

bool number(const std::string& text, std::uint32_t& out) {
  if (text.empty() || text.size() > 9 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  out = static_cast<std::uint32_t>(std::stoul(text));
  return true;
}

}  // namespace hearth::cli
