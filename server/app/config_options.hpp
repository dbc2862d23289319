// The table of `hearthd`'s serve options: each one's name, its help and
// how it sets the configuration, shared by the flag, file and environment
// parsers (config.cpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace hearth::app {

struct option {
  const char* name;
  const char* help;
  bool is_flag;  // takes no value (boolean switch)
  std::function<void(config&, const std::string&)> set;
};

const std::vector<option>& options();
// "sqlite" or "postgres"; anything else throws std::invalid_argument.
std::string parse_store_kind(const std::string& text);
// The option called `name` (without "--"), or nullptr.
const option* find_option(const std::string& name);

}  // namespace hearth::app
