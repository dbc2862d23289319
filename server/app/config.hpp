// hearthd configuration: defaults, then a config file, then HEARTH_* environment
// variables, then command-line flags, each overriding the one before.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin/admin_api.hpp"
#include "net/settings.hpp"
#include "store/retention.hpp"
#include "store/store.hpp"
#include "store/store_writer.hpp"

namespace hearth::app {

// Where the records (audit trail, attendance) are kept.
struct store_choice {
  std::string kind = "sqlite";    // sqlite: DATA_DIR/hearth.db; postgres: a PostgreSQL server
  std::string postgres_conninfo;  // libpq conninfo, for postgres only
};

// "" when the choice is complete and consistent, otherwise what is wrong.
std::string store_choice_problem(const store_choice& choice);

// Opens (and migrates) the chosen store. Throws store::store_error.
std::unique_ptr<store::store> open_store(const store_choice& choice, const std::string& data_dir);

// Applies --store and --postgres-conninfo at args[i] (moving i past the value)
// for the subcommands; false when args[i] is neither. Throws
// std::invalid_argument for a bad value.
bool parse_store_flag(const std::vector<std::string>& args, std::size_t& i, store_choice& choice);

struct config {
  net::settings net;
  std::string worksheet_templates;         // directory of template files, read at start-up
  std::string data_dir = "./hearth-data";  // signing key and, with sqlite, hearth.db
  store_choice storage;
  store::writer_limits store;
  // After a crash, attendance is trusted up to the last alive mark.
  std::chrono::milliseconds alive_interval{30'000};
  // What the daily purge (and hearthd purge, and the admin API's) deletes.
  store::retention_policy retention;
  admin::settings admin;       // its key is read from admin_key_file
  std::string admin_key_file;  // empty: no admin API
  std::size_t admin_max_queued = 64;
  std::size_t pdf_max_queued = 16;  // worksheet PDFs waiting to be laid out
  std::string clinic_timezone;      // TZ name for weekly reports; empty: the process's zone
  std::string port_file;            // when set, the bound port is written there once listening
  std::string log_level = "info";
};

struct parse_outcome {
  std::optional<config> value;  // empty: stop (help printed or error)
  int exit_code = 0;
};

// `args` excludes the program name. Prints --help or errors to stdout/stderr.
parse_outcome parse_serve_config(const std::vector<std::string>& args);

std::string serve_help();

// The admin settings with the key read from admin_key_file (throws on a
// missing, unreadable or too short key: start-up only).
admin::settings admin_settings_from(const config& c);

}  // namespace hearth::app
