// `hearthd purge`: runs the retention purge once on the server's records (a
// stopped server's data directory, or a running one's: the store takes turns)
// and prints what it deleted as one line of JSON.
#pragma once

#include <string>
#include <vector>

namespace hearth::app {

int purge_command(const std::vector<std::string>& args);

}  // namespace hearth::app
