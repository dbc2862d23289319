// The serve options' table (config_options.hpp).
#include "app/config_options.hpp"

#include <charconv>
#include <chrono>
#include <stdexcept>

#include "core/lobby.hpp"

namespace hearth::app {
namespace {

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

}  // namespace

std::string parse_store_kind(const std::string& text) {
  if (text != "sqlite" && text != "postgres") {
    throw std::invalid_argument("--store: expected sqlite or postgres: " + text);
  }
  return text;
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
      {"batch-sends",
       "with one network thread, hand each turn's sends to the kernel in one system call "
       "(io_uring, where the kernel allows it; default true, =false to send one by one)",
       true,
       [](config& c, const std::string& v) { c.net.batch_sends = parse_bool("batch-sends", v); }},
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
      number_option<std::uint32_t>(
          "recent-chat", "room chat messages a joining member is shown (default 50)",
          [](config& c) -> std::uint32_t& { return c.net.room.recent_chat; }),
      number_option<std::uint32_t>(
          "recent-chat-bytes",
          "bytes the texts of those messages may hold, per room (default 65536)",
          [](config& c) -> std::uint32_t& { return c.net.room.recent_chat_bytes; }),
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
      millis_option("store-linger-ms",
                    "longest wait for more records before a commit nobody waits for; 0 commits "
                    "at once (default 5)",
                    [](config& c) -> std::chrono::milliseconds& { return c.store.linger; }),
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

}  // namespace hearth::app
