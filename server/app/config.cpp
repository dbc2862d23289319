// Option table, config file, environment and flag parsing for `hearthd`.
#include "app/config.hpp"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <stdexcept>

#include "app/config_options.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"

namespace hearth::app {
namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

void apply_file(config& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::invalid_argument("cannot read config file " + path);
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) {
      continue;
    }
    const auto eq = line.find('=');
    const auto key = trim(line.substr(0, eq));
    const auto value = eq == std::string::npos ? std::string() : trim(line.substr(eq + 1));
    const option* o = find_option(key);
    if (o == nullptr) {
      std::string message = path;
      message.append(":").append(std::to_string(number)).append(": unknown setting ").append(key);
      throw std::invalid_argument(message);
    }
    o->set(c, value);
  }
}

void apply_environment(config& c) {
  for (const auto& o : options()) {
    std::string name = "HEARTH_";
    for (const char* p = o.name; *p != '\0'; ++p) {
      name += *p == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
    }
    // Read once on the main thread before any other thread exists, and nothing
    // in the process calls setenv, so there is no race for getenv to lose.
    // NOLINTNEXTLINE(concurrency-mt-unsafe)
    if (const char* value = std::getenv(name.c_str())) {
      o.set(c, value);
    }
  }
}

}  // namespace

std::string serve_help() {
  std::string out =
      "usage: hearthd [--config FILE] [options]\n"
      "       hearthd mint-token --data-dir DIR --room ROOM --role ROLE --subject ID --name NAME "
      "[--ttl SECONDS]\n"
      "       hearthd verify-audit [--data-dir DIR]\n"
      "       (both also take --store and --postgres-conninfo, as the server does)\n"
      "       hearthd purge [--config FILE] [options]: deletes what the retention settings\n"
      "       say is past keeping, reading settings as the server does\n\n"
      "Every option can also be set in the config file (name = value) or as an environment\n"
      "variable HEARTH_NAME (upper case, dashes as underscores). Flags win over the\n"
      "environment, which wins over the file.\n\n"
      "  --config FILE                 read settings from FILE\n"
      "  --help                        print this help\n";
  for (const auto& o : options()) {
    std::string left = std::string("  --") + o.name + (o.is_flag ? "" : " VALUE");
    left.resize(std::max<std::size_t>(left.size() + 1, 32), ' ');
    out += left + o.help + "\n";
  }
  return out;
}

parse_outcome parse_serve_config(const std::vector<std::string>& args) {
  config c;
  c.net.web_root = HEARTH_DEFAULT_WEB_ROOT;
  c.worksheet_templates = HEARTH_DEFAULT_WORKSHEET_TEMPLATES;
  try {
    // The file first, wherever --config appears, so flags override it.
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--help" || args[i] == "-h") {
        std::cout << serve_help();
        return {std::nullopt, 0};
      }
      if (args[i] == "--config") {
        if (i + 1 >= args.size()) {
          throw std::invalid_argument("--config needs a file");
        }
        apply_file(c, args[i + 1]);
      }
    }
    apply_environment(c);
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::string arg = args[i];
      if (arg == "--config") {
        ++i;
        continue;
      }
      if (arg.rfind("--", 0) != 0) {
        throw std::invalid_argument("unexpected argument: " + arg);
      }
      std::string value;
      bool has_value = false;
      if (const auto eq = arg.find('='); eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_value = true;
      }
      const option* o = find_option(arg.substr(2));
      if (o == nullptr) {
        throw std::invalid_argument("unknown option " + arg + " (see --help)");
      }
      if (!has_value && !o->is_flag) {
        if (i + 1 >= args.size()) {
          throw std::invalid_argument(arg + " needs a value");
        }
        value = args[++i];
      }
      o->set(c, value);
    }
    if (const auto problem = store_choice_problem(c.storage); !problem.empty()) {
      throw std::invalid_argument(problem);
    }
    if (const auto problem = store::retention_problem(c.retention); !problem.empty()) {
      throw std::invalid_argument(problem);
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "hearthd: " << e.what() << "\n";
    return {std::nullopt, 2};
  }
  return {std::move(c), 0};
}

std::string store_choice_problem(const store_choice& choice) {
  if (choice.kind == "postgres" && choice.postgres_conninfo.empty()) {
    return "--store postgres needs --postgres-conninfo";
  }
  if (choice.kind != "postgres" && !choice.postgres_conninfo.empty()) {
    return "--postgres-conninfo is set but the store is " + choice.kind +
           " (add --store postgres, or drop the conninfo)";
  }
  return {};
}

std::unique_ptr<store::store> open_store(const store_choice& choice, const std::string& data_dir) {
  if (choice.kind == "postgres") {
    return std::make_unique<store::postgres_store>(choice.postgres_conninfo);
  }
  return std::make_unique<store::sqlite_store>(store::sqlite_path(data_dir));
}

bool parse_store_flag(const std::vector<std::string>& args, std::size_t& i, store_choice& choice) {
  std::string name = args[i];
  std::string value;
  const auto eq = name.find('=');
  if (eq != std::string::npos) {
    value = name.substr(eq + 1);
    name.resize(eq);
  }
  if (name != "--store" && name != "--postgres-conninfo") {
    return false;
  }
  if (eq == std::string::npos) {
    if (i + 1 >= args.size()) {
      throw std::invalid_argument(name + " needs a value");
    }
    value = args[++i];
  }
  if (name == "--store") {
    choice.kind = parse_store_kind(value);
  } else {
    choice.postgres_conninfo = value;
  }
  return true;
}

admin::settings admin_settings_from(const config& c) {
  admin::settings out = c.admin;
  out.token_issuer = c.net.token_issuer;
  out.token_audience = c.net.token_audience;
  out.max_body_bytes = c.net.admin_max_body_bytes;
  out.retention = c.retention;
  out.templates = c.net.room;
  if (c.admin_key_file.empty()) {
    return out;
  }
  std::ifstream in(c.admin_key_file);
  if (!in) {
    throw std::runtime_error("cannot read the admin key file " + c.admin_key_file);
  }
  std::getline(in, out.key);
  while (!out.key.empty() && (out.key.back() == '\r' || out.key.back() == ' ')) {
    out.key.pop_back();
  }
  if (out.key.size() < 32) {
    throw std::runtime_error("the admin key must be at least 32 characters");
  }
  return out;
}

}  // namespace hearth::app
