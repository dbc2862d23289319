// The retention purge command.
#include "app/purge_command.hpp"

#include <filesystem>
#include <iostream>

#include "app/alive_marker.hpp"
#include "app/config.hpp"
#include "store/retention.hpp"
#include "store/sqlite_store.hpp"

namespace hearth::app {
namespace {

constexpr const char* usage =
    "usage: hearthd purge [--config FILE] [--data-dir DIR] [--store sqlite|postgres]\n"
    "                     [--postgres-conninfo STR] [--content-retention-days N]\n"
    "                     [--audit-retention-days N]\n"
    "Settings are read as the server reads them (the config file, HEARTH_* variables,\n"
    "flags), so give it the server's config file: the purge then deletes exactly what\n"
    "the server's own daily purge would. Prints the report as one line of JSON.\n";

}  // namespace

int purge_command(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << usage;
      return 0;
    }
  }
  // The server's settings, so that the retention is the server's: a purge
  // with defaults the server does not use could delete what it keeps.
  auto parsed = parse_serve_config(args);
  if (!parsed.value) {
    std::cerr << usage;
    return parsed.exit_code;
  }
  const auto& c = *parsed.value;
  try {
    if (c.storage.kind == "sqlite" && !std::filesystem::exists(store::sqlite_path(c.data_dir))) {
      // A mistyped directory: create nothing there.
      std::cerr << "hearthd purge: no database at " << store::sqlite_path(c.data_dir) << "\n";
      return 2;
    }
    const auto db = open_store(c.storage, c.data_dir);
    const auto now = wall_ms();
    const auto request = store::purge_request_for(c.retention, now);
    const auto report = store::purge_and_record(*db, request, now, "operator", "operator");
    std::cout << store::purge_json(request, report) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "hearthd purge: " << e.what() << " (nothing was deleted)\n";
    return 1;
  }
}

}  // namespace hearth::app
