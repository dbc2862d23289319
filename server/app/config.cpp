// Option table, config file, environment and flag parsing for `hearthd`.
#include "app/config.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <stdexcept>

#include "core/lobby.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"

namespace hearth::app {
namespace {

struct option {
  const char* name;
  const char* help;
  bool is_flag;  // takes no value (boolean switch)
  std::function<void(config&, const std::string&)> set;
};

template <typename T>
T parse_number(const std::string& name, const std::string& text) {
  T value{};
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    throw std::invalid_argument("--" + name + ": not a valid number: " + text);
  }
  return value;
}

double parse_double(const std::string& name, const std::string& text) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && value >= 0) {
      return value;
    }
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("--" + name + ": not a valid number: " + text);
}

bool parse_bool(const std::string& name, const std::string& text) {
  if (text.empty() || text == "true" || text == "1" || text == "yes" || text == "on") {
    return true;
  }
  if (text == "false" || text == "0" || text == "no" || text == "off") {
    return false;
  }
  throw std::invalid_argument("--" + name + ": expected true or false: " + text);
}

std::string parse_store_kind(const std::string& text) {
  if (text != "sqlite" && text != "postgres") {
    throw std::invalid_argument("--store: expected sqlite or postgres: " + text);
  }
  return text;
}

template <typename T, typename Field>
option number_option(const char* name, const char* help, Field field) {
  return {name, help, false,
          [name, field](config& c, const std::string& v) { field(c) = parse_number<T>(name, v); }};
}

template <typename Field>
option millis_option(const char* name, const char* help, Field field) {
  return {name, help, false, [name, field](config& c, const std::string& v) {
            field(c) = std::chrono::milliseconds(parse_number<std::int64_t>(name, v));
          }};
}

const std::vector<option>& options() {
  static const std::vector<option> table = {
      {"listen", "HOST:PORT to listen on (default 127.0.0.1:8443; port 0 picks one)", false,
       [](config& c, const std::string& v) {
         const auto colon = v.rfind(':');
         if (colon == std::string::npos) {
           throw std::invalid_argument("--listen: expected HOST:PORT: " + v);
         }
         auto host = v.substr(0, colon);
         if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
           host = host.substr(1, host.size() - 2);
         }
         c.net.listen_host = host;
         c.net.listen_port = parse_number<std::uint16_t>("listen", v.substr(colon + 1));
       }},
      {"data-dir", "directory for the signing key and data (default ./hearth-data)", false,
       [](config& c, const std::string& v) { c.data_dir = v; }},
      {"store", "where records are kept: sqlite (DATA_DIR/hearth.db, the default) or postgres",
       false, [](config& c, const std::string& v) { c.storage.kind = parse_store_kind(v); }},
      {"postgres-conninfo",
       "libpq connection string for --store postgres, e.g. 'host=db dbname=hearth user=hearth'",
       false, [](config& c, const std::string& v) { c.storage.postgres_conninfo = v; }},
      {"admin-key-file",
       "file holding the admin API's bearer key (at least 32 characters); unset: no admin API",
       false, [](config& c, const std::string& v) { c.admin_key_file = v; }},
      {"clinic-timezone", "time zone for weekly attendance, e.g. America/Chicago (default: TZ)",
       false, [](config& c, const std::string& v) { c.clinic_timezone = v; }},
      {"join-url", "base of browser join links made by the admin API (token in the fragment)",
       false, [](config& c, const std::string& v) { c.admin.join_url_base = v; }},
      {"adult-minimum-hours", "weekly program minimum for adults (default 9)", false,
       [](config& c, const std::string& v) {
         c.admin.adult_minimum_hours = parse_double("adult-minimum-hours", v);
       }},
      {"adolescent-minimum-hours", "weekly program minimum for adolescents (default 6)", false,
       [](config& c, const std::string& v) {
         c.admin.adolescent_minimum_hours = parse_double("adolescent-minimum-hours", v);
       }},
      number_option<std::size_t>(
          "admin-max-body-bytes", "largest admin API request body (default 65536)",
          [](config& c) -> std::size_t& { return c.net.admin_max_body_bytes; }),
      {"tls-cert", "PEM certificate chain file (enables wss)", false,
       [](config& c, const std::string& v) { c.net.tls_cert_file = v; }},
      {"tls-key", "PEM private key file", false,
       [](config& c, const std::string& v) { c.net.tls_key_file = v; }},
      {"insecure-plaintext", "serve plain ws without TLS (loopback development only)", true,
       [](config& c, const std::string& v) {
         c.net.insecure_plaintext = parse_bool("insecure-plaintext", v);
       }},
      {"web-root",
       "directory of the browser client's built files (default: this build's web output)", false,
       [](config& c, const std::string& v) { c.net.web_root = v; }},
      {"worksheet-templates",
       "directory of worksheet template files, *.json (default: the repository's)", false,
       [](config& c, const std::string& v) { c.worksheet_templates = v; }},
      {"allowed-origin", "an extra allowed browser Origin, exact match (repeatable)", false,
       [](config& c, const std::string& v) { c.net.allowed_origins.push_back(v); }},
      number_option<unsigned>("threads", "network threads (default 1)",
                              [](config& c) -> unsigned& { return c.net.threads; }),
      number_option<std::size_t>("max-message-bytes",
                                 "largest inbound WebSocket message (default 65536)",
                                 [](config& c) -> std::size_t& { return c.net.max_message_bytes; }),
      number_option<std::size_t>(
          "max-outbound-queue-bytes",
          "per-connection outbound queue; beyond it the client is closed (default 1048576)",
          [](config& c) -> std::size_t& { return c.net.max_outbound_queue_bytes; }),
      millis_option("hello-timeout-ms", "time allowed before Hello (default 10000)",
                    [](config& c) -> std::chrono::milliseconds& { return c.net.hello_timeout; }),
      millis_option("write-timeout-ms", "deadline for one write to a client (default 10000)",
                    [](config& c) -> std::chrono::milliseconds& { return c.net.write_timeout; }),
      millis_option("ping-interval-ms", "application ping interval (default 25000)",
                    [](config& c) -> std::chrono::milliseconds& { return c.net.ping_interval; }),
      millis_option("pong-timeout-ms", "pong deadline after a ping (default 10000)",
                    [](config& c) -> std::chrono::milliseconds& { return c.net.pong_timeout; }),
      millis_option("shutdown-grace-ms", "time given to close handshakes on SIGTERM (default 5000)",
                    [](config& c) -> std::chrono::milliseconds& { return c.net.shutdown_grace; }),
      {"rate-per-second", "sustained client messages per second per connection (default 20)", false,
       [](config& c, const std::string& v) {
         c.net.rate_per_second = parse_double("rate-per-second", v);
       }},
      {"rate-burst", "burst of client messages above the rate (default 60)", false,
       [](config& c, const std::string& v) { c.net.rate_burst = parse_double("rate-burst", v); }},
      number_option<std::uint32_t>("rate-strikes",
                                   "throttled messages tolerated before closing (default 50)",
                                   [](config& c) -> std::uint32_t& { return c.net.rate_strikes; }),
      number_option<std::size_t>("history-events", "room replay history, events (default 1000)",
                                 [](config& c) -> std::size_t& { return c.net.history_events; }),
      number_option<std::size_t>("history-bytes", "room replay history, bytes (default 1048576)",
                                 [](config& c) -> std::size_t& { return c.net.history_bytes; }),
      number_option<std::size_t>(
          "direct-history-events", "per-member direct replay history, events (default 200)",
          [](config& c) -> std::size_t& { return c.net.direct_history_events; }),
      number_option<std::size_t>(
          "direct-history-bytes", "per-member direct replay history, bytes (default 262144)",
          [](config& c) -> std::size_t& { return c.net.direct_history_bytes; }),
      number_option<std::int64_t>(
          "reconnect-grace-ms", "how long a dropped member stays 'reconnecting' (default 15000)",
          [](config& c) -> std::int64_t& { return c.net.room.reconnect_grace; }),
      number_option<std::uint32_t>(
          "max-members", "members present or reconnecting per room (default 50)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_members; }),
      number_option<std::uint32_t>(
          "max-chat-bytes", "longest chat message in UTF-8 bytes (default 4000)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_chat_bytes; }),
      number_option<std::uint32_t>(
          "deletable-chats",
          "most recent room chat messages a facilitator can delete (default 1000)",
          [](config& c) -> std::uint32_t& { return c.net.room.deletable_chats; }),
      number_option<std::int64_t>(
          "max-turn-ms", "longest turn on the floor, extensions included (default 7200000)",
          [](config& c) -> std::int64_t& { return c.net.room.max_turn; }),
      number_option<std::uint32_t>(
          "max-round-label-bytes",
          "longest round label in UTF-8 bytes (default 100)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_round_label_bytes; }),
      number_option<std::int64_t>(
          "max-break-ms", "longest break countdown a facilitator can set (default 7200000)",
          [](config& c) -> std::int64_t& { return c.net.room.max_break; }),
      number_option<std::uint32_t>(
          "max-waiting", "people waiting in one room's lobby at once (default 100)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_waiting; }),
      number_option<std::uint32_t>(
          "max-lobby-message-bytes",
          "longest message to the people waiting, in UTF-8 bytes (default 500)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_lobby_message_bytes; }),
      number_option<std::uint32_t>(
          "max-poll-question-bytes", "longest check-in poll question in UTF-8 bytes (default 300)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_poll_question_bytes; }),
      number_option<std::uint32_t>(
          "kept-polls", "closed check-in polls kept in a room's snapshots (default 5)",
          [](config& c) -> std::uint32_t& { return c.net.room.kept_polls; }),
      number_option<std::uint32_t>(
          "max-breakouts", "breakout rooms a session may have open at once (default 20)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_breakouts; }),
      number_option<std::uint32_t>(
          "max-breakout-name-bytes", "longest breakout room name in UTF-8 bytes (default 60)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_breakout_name_bytes; }),
      number_option<std::int64_t>(
          "max-breakout-ms", "longest breakout timer a facilitator can set (default 7200000)",
          [](config& c) -> std::int64_t& { return c.net.room.max_breakout; }),
      number_option<std::int64_t>(
          "worksheet-presence-ms",
          "how long a member shows in a worksheet field without refreshing it (default 120000)",
          [](config& c) -> std::int64_t& { return c.net.room.worksheet_presence; }),
      number_option<std::size_t>(
          "max-pdf-queue", "worksheet PDF exports waiting to be laid out (default 16)",
          [](config& c) -> std::size_t& { return c.pdf_max_queued; }),
      number_option<std::uint32_t>(
          "max-worksheets", "worksheets one session may hold (default 500)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_worksheets; }),
      number_option<std::uint32_t>(
          "max-worksheet-queue",
          "edit batches waiting behind one worksheet's store commit (default 64)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_worksheet_queue; }),
      number_option<std::uint32_t>(
          "max-template-bytes",
          "largest facilitator's worksheet template version, serialized bytes (default 65536)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_template_bytes; }),
      number_option<std::uint32_t>(
          "max-custom-templates",
          "facilitators' worksheet templates, retired ones included (default 200)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_custom_templates; }),
      number_option<std::uint32_t>(
          "max-template-versions", "versions of one facilitator's worksheet template (default 100)",
          [](config& c) -> std::uint32_t& { return c.net.room.max_template_versions; }),
      {"default-lobby-policy",
       "who waits in rooms without a planned session: everyone_waits, roster_enters (nobody "
       "is on a roster there, so everyone waits) or open (default); observers always wait",
       false,
       [](config& c, const std::string& v) {
         auto policy = core::lobby_policy_from(v);
         if (!policy) {
           throw std::invalid_argument(
               "--default-lobby-policy: expected everyone_waits, roster_enters or open: " + v);
         }
         c.net.default_lobby_policy = *policy;
       }},
      {"default-admit-before-facilitator",
       "in rooms without a planned session, let people in before a facilitator is present "
       "(default true)",
       false,
       [](config& c, const std::string& v) {
         c.net.default_admit_before_facilitator =
             parse_bool("default-admit-before-facilitator", v);
       }},
      millis_option("alive-interval-ms",
                    "how often the server records that it is alive; after a crash, attendance "
                    "ends at the last record (default 30000)",
                    [](config& c) -> std::chrono::milliseconds& { return c.alive_interval; }),
      number_option<std::int64_t>(
          "content-retention-days",
          "days after a session ends until its plan, roster (names), bans, consents and kept "
          "chat are deleted (default 90)",
          [](config& c) -> std::int64_t& { return c.retention.content_days; }),
      number_option<std::int64_t>(
          "audit-retention-days",
          "days audit records and attendance are kept; 0 keeps them forever (default 2190, "
          "six years); never shorter than content-retention-days",
          [](config& c) -> std::int64_t& { return c.retention.audit_days; }),
      number_option<std::size_t>("store-max-queued",
                                 "records waiting for the store before new ones are refused "
                                 "(default 100000)",
                                 [](config& c) -> std::size_t& { return c.store.max_queued; }),
      number_option<std::size_t>("store-max-batch", "records per store transaction (default 1000)",
                                 [](config& c) -> std::size_t& { return c.store.max_batch; }),
      {"token-issuer", "required token issuer (default hearthd)", false,
       [](config& c, const std::string& v) { c.net.token_issuer = v; }},
      {"token-audience", "required token audience (default hearth)", false,
       [](config& c, const std::string& v) { c.net.token_audience = v; }},
      number_option<std::int64_t>(
          "token-leeway-seconds",
          "tolerated clock skew for exp/nbf (default 30)",
          [](config& c) -> std::int64_t& { return c.net.token_leeway_seconds; }),
      number_option<std::size_t>("max-token-bytes", "longest accepted token (default 4096)",
                                 [](config& c) -> std::size_t& { return c.net.max_token_bytes; }),
      {"log-level", "debug, info, warn or error (default info)", false,
       [](config& c, const std::string& v) {
         if (v != "debug" && v != "info" && v != "warn" && v != "error") {
           throw std::invalid_argument("--log-level: expected debug, info, warn or error");
         }
         c.log_level = v;
       }},
      {"port-file", "write the bound port to this file once listening", false,
       [](config& c, const std::string& v) { c.port_file = v; }},
  };
  return table;
}

const option* find_option(const std::string& name) {
  for (const auto& o : options()) {
    if (name == o.name) {
      return &o;
    }
  }
  return nullptr;
}

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
