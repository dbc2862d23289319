// Pieces shared by the terminal client's command parsers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hearth::cli {

// The line split on whitespace.
std::vector<std::string> words(const std::string& line);

// A member id or seq: 1 to 9 decimal digits, nothing else.
bool number(const std::string& text, std::uint32_t& out);

}  // namespace hearth::cli
