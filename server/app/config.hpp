// hearthd configuration: defaults, then a config file, then HEARTH_* environment
// variables, then command-line flags, each overriding the one before.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/settings.hpp"
#include "store/store_writer.hpp"

namespace hearth::app {

struct config {
  net::settings net;
  std::string data_dir = "./hearth-data";  // signing key and database (hearth.db)
  store::writer_limits store;
  std::chrono::milliseconds alive_interval{
      30'000};            // attendance is trusted up to here after a crash
  std::string port_file;  // when set, the bound port is written there once listening
  std::string log_level = "info";
};

struct parse_outcome {
  std::optional<config> value;  // empty: stop (help printed or error)
  int exit_code = 0;
};

// `args` excludes the program name. Prints --help or errors to stdout/stderr.
parse_outcome parse_serve_config(const std::vector<std::string>& args);

std::string serve_help();

}  // namespace hearth::app
