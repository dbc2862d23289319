// The daily retention purge.
#include "app/retention_runner.hpp"

#include "app/alive_marker.hpp"
#include "telemetry/log.hpp"

namespace hearth::app {

retention_runner::retention_runner(store::store_writer& writer, store::retention_policy policy,
                                   std::chrono::milliseconds interval)
    : writer_(writer), policy_(policy), interval_(interval) {
  submit();
  writer_.flush();
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stop_.wait_for(lock, interval_, [this] { return stopping_; })) {
      submit();
    }
  });
}

retention_runner::~retention_runner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_one();
  thread_.join();
}

void retention_runner::submit() {
  const bool queued = writer_.read([policy = policy_](store::store& records) {
    using telemetry::level;
    const auto now = wall_ms();
    const auto request = store::purge_request_for(policy, now);
    try {
      // The server's own act; audited when it deleted anything (a purge that
      // found nothing changes no record, and would only fill the trail).
      const auto report = store::purge_and_record(records, request, now, "", "system", false);
      telemetry::log(level::info, "retention_purge",
                     {{"sessions", report.sessions},
                      {"roster_entries", report.roster_entries},
                      {"bans", report.bans},
                      {"consents", report.consents},
                      {"chat_messages", report.chat_messages},
                      {"worksheets", report.worksheets},
                      {"attendance", report.attendance},
                      {"audit", report.audit}});
    } catch (const store::store_error& e) {
      telemetry::log(level::error, "retention_purge_failed",
                     {{"kind", std::string_view(store::kind_name(e.which()))}});
    }
  });
  if (!queued) {
    telemetry::log(telemetry::level::error, "retention_purge_failed",
                   {{"kind", std::string_view("queue_full")}});
  }
}

}  // namespace hearth::app
