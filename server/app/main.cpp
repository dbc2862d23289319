// hearthd: the Hearth server. `hearthd [options]` serves; `hearthd mint-token`
// prints a token signed with the data directory's key; `hearthd verify-audit`
// checks the audit trail; `hearthd purge` runs the retention purge. Records go
// to SQLite or PostgreSQL (--store).
#include <google/protobuf/stubs/logging.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "app/alive_marker.hpp"
#include "app/audit_command.hpp"
#include "app/config.hpp"
#include "app/mint_token.hpp"
#include "app/purge_command.hpp"
#include "app/retention_runner.hpp"
#include "app/worksheet_templates.hpp"
#include "auth/signing_key.hpp"
#include "net/server.hpp"
#include "store/store_writer.hpp"
#include "telemetry/log.hpp"

namespace {

using hearth::telemetry::level;

// Protobuf logs parse failures with field names; route them to our logger
// without their text so no message content can reach the logs.
void protobuf_log(google::protobuf::LogLevel lvl, const char*, int, const std::string&) {
  if (lvl >= google::protobuf::LOGLEVEL_ERROR) {
    hearth::telemetry::log(level::debug, "protobuf_diagnostic", {});
  }
}

level parse_level(const std::string& name) {
  if (name == "debug") {
    return level::debug;
  }
  if (name == "warn") {
    return level::warn;
  }
  if (name == "error") {
    return level::error;
  }
  return level::info;
}

int serve(const std::vector<std::string>& args) {
  auto parsed = hearth::app::parse_serve_config(args);
  if (!parsed.value) {
    return parsed.exit_code;
  }
  auto& config = *parsed.value;
  hearth::telemetry::set_min_level(parse_level(config.log_level));
  if (!config.clinic_timezone.empty()) {
    // An unknown zone would silently mean UTC: refuse it instead.
    const std::string& zone = config.clinic_timezone;
    if (zone.find("..") != std::string::npos || zone.front() == '/' ||
        !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + zone)) {
      std::cerr << "hearthd: unknown --clinic-timezone " << zone
                << " (expected a name from /usr/share/zoneinfo, e.g. America/Chicago)\n";
      return 2;
    }
    // Before any thread starts: weekly attendance counts from the clinic's midnight.
    // NOLINTNEXTLINE(concurrency-mt-unsafe): no other thread exists yet.
    ::setenv("TZ", config.clinic_timezone.c_str(), 1);
    ::tzset();
  }
  try {
    // A template that does not validate stops the start: rooms would refuse it later.
    auto templates = hearth::app::load_worksheet_templates(config.worksheet_templates);
    auto key = hearth::auth::signing_key::load_or_create(config.data_dir);  // makes the dir
    const auto db = hearth::app::open_store(config.storage, config.data_dir);
    hearth::telemetry::log(level::info, "store_opened",
                           {{"store", std::string_view(config.storage.kind)}});
    hearth::app::add_stored_templates(templates, *db);
    config.net.worksheet_templates =
        std::make_shared<hearth::admin::template_catalog>(std::move(templates));
    config.net.pdf_renders = std::make_shared<hearth::pdf::render_queue>(config.pdf_max_queued);
    const auto run = db->begin_run(hearth::app::wall_ms());
    hearth::store::store_writer writer(*db, config.store);
    hearth::app::alive_marker alive(writer, run, config.alive_interval);
    // The first purge is done before the server serves anything.
    hearth::app::retention_runner retention(writer, config.retention, std::chrono::hours(24));
    const auto admin_settings = hearth::app::admin_settings_from(config);
    hearth::admin::api admin_api(admin_settings, *db, key, hearth::app::wall_ms,
                                 config.net.worksheet_templates);
    hearth::admin::worker admin_worker(admin_api, config.admin_max_queued);
    hearth::net::server server(config.net, key, writer,
                               admin_settings.key.empty() ? nullptr : &admin_worker);
    const auto port = server.bind();
    if (!config.port_file.empty()) {
      // Written to a temporary name and renamed, so readers never see half a file.
      const auto tmp = config.port_file + ".tmp";
      std::ofstream(tmp) << port << "\n";
      std::rename(tmp.c_str(), config.port_file.c_str());
    }
    admin_api.set_live_source(&server.live());
    admin_api.set_server_writes(&writer);
    server.run();
    // Admin calls still running hold HTTP sessions of this server: finish
    // them while its io_context exists.
    admin_worker.stop();
    // PDF jobs post their answers to room strands of this server too.
    config.net.pdf_renders->stop();
  } catch (const std::exception& e) {
    hearth::telemetry::log(level::error, "startup_failed", {{"error", std::string_view(e.what())}});
    std::cerr << "hearthd: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  google::protobuf::SetLogHandler(&protobuf_log);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args.front() == "mint-token") {
    return hearth::app::mint_token_command({args.begin() + 1, args.end()});
  }
  if (!args.empty() && args.front() == "verify-audit") {
    return hearth::app::verify_audit_command({args.begin() + 1, args.end()});
  }
  if (!args.empty() && args.front() == "purge") {
    return hearth::app::purge_command({args.begin() + 1, args.end()});
  }
  if (!args.empty() && args.front() == "serve") {
    args.erase(args.begin());
  }
  return serve(args);
}
