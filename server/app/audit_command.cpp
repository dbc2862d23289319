// The audit verification command.
#include "app/audit_command.hpp"

#include <iostream>
#include <stdexcept>

#include "app/alive_marker.hpp"
#include "app/config.hpp"

namespace hearth::app {
namespace {

constexpr const char* usage =
    "usage: hearthd verify-audit [--data-dir DIR] [--store sqlite|postgres] "
    "[--postgres-conninfo STR]\n";

}  // namespace

int verify_audit_command(const std::vector<std::string>& args) {
  std::string data_dir = "./hearth-data";
  store_choice storage;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--data-dir" && i + 1 < args.size()) {
        data_dir = args[++i];
      } else if (!parse_store_flag(args, i, storage)) {
        (args[i] == "--help" ? std::cout : std::cerr) << usage;
        return args[i] == "--help" ? 0 : 2;
      }
    }
    if (const auto problem = store_choice_problem(storage); !problem.empty()) {
      throw std::invalid_argument(problem);
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "hearthd verify-audit: " << e.what() << "\n" << usage;
    return 2;
  }
  try {
    const auto db = open_store(storage, data_dir);
    const auto result = db->verify_audit();
    // Verifying is itself a privileged look at the records.
    db->commit({store::audit_entry{wall_ms(), "operator", "operator", "audit_verified", "", "",
                                   result.ok() ? "ok" : "failed",
                                   result.ok() ? "" : std::to_string(*result.first_broken)}});
    if (result.ok()) {
      std::cout << "audit trail intact: " << result.records << " records";
      if (result.purged_through > 0) {
        std::cout << " (records 1 to " << result.purged_through << " purged by retention)";
      }
      std::cout << "\n";
      return 0;
    }
    std::cout << "audit trail broken at record " << *result.first_broken << ": " << result.reason
              << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "hearthd verify-audit: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace hearth::app
