// `hearthd mint-token`: prints one signed token for a room, role and person.
#pragma once

#include <string>
#include <vector>

namespace hearth::app {

int mint_token_command(const std::vector<std::string>& args);

}  // namespace hearth::app
