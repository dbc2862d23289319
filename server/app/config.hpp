// hearthd configuration: defaults, then a config file, then HEARTH_* environment
// variables, then command-line flags, each overriding the one before.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "admin/admin_api.hpp"
#include "net/settings.hpp"
#include "store/store_writer.hpp"

namespace hearth::app {

struct config {
  net::settings net;
  std::string data_dir = "./hearth-data";  // signing key and database (hearth.db)
  store::writer_limits store;
  // After a crash, attendance is trusted up to the last alive mark.
  std::chrono::milliseconds alive_interval{30'000};
  admin::settings admin;       // its key is read from admin_key_file
  std::string admin_key_file;  // empty: no admin API
  std::size_t admin_max_queued = 64;
  std::string clinic_timezone;  // TZ name for weekly reports; empty: the process's zone
  std::string port_file;        // when set, the bound port is written there once listening
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
