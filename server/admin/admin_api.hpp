// The admin API a clinic's systems call: planned sessions and observers'
// consents, attendance and kept chat (JSON and CSV), weekly hours against the program
// minimum, the audit trail and its verification, join tokens, and the
// retention purge. Bearer-key authentication; every call leaves an audit
// record. Runs blocking store calls, so the network shell calls it from
// admin_worker's thread, never from a network thread. No Beast here: requests
// and responses are plain values (docs/admin-api.md).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin/live.hpp"
#include "admin/session_json.hpp"
#include "auth/signing_key.hpp"
#include "core/types.hpp"
#include "hearth/v1/worksheet.pb.h"
#include "store/retention.hpp"
#include "store/store.hpp"

namespace hearth::core {
class worksheet_templates;
}  // namespace hearth::core

namespace hearth::store {
class store_writer;
}  // namespace hearth::store

namespace hearth::admin {

class template_catalog;

struct request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as received
  std::string authorization;
  std::string body;
};

struct response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
};

struct settings {
  std::string key;  // the bearer key; empty disables the API (every path is 404)
  std::string token_issuer = "hearthd";
  std::string token_audience = "hearth";
  std::int64_t default_token_ttl_seconds = 21'600;
  std::int64_t max_token_ttl_seconds = 86'400;
  std::string join_url_base;  // e.g. https://clinic.example/join ; empty: no join links
  double adult_minimum_hours = 9;
  double adolescent_minimum_hours = 6;
  std::size_t max_body_bytes = std::size_t{64} * 1024;
  session_limits sessions;
  store::retention_policy retention;  // what POST /admin/v1/retention/purge deletes
  core::room_limits templates;        // its facilitators' template limits apply here too
};

class api {
 public:
  using wall_clock = std::function<store::time_ms()>;
  // `templates`: the catalog every room shares (every template version), to
  // rebuild and render stored worksheets; null: worksheets read as not loaded.
  api(settings config, store::store& records, const auth::signing_key& key, wall_clock now,
      std::shared_ptr<admin::template_catalog> templates = nullptr);

  response handle(const request& req);

  // Where live session summaries come from (the running server); until set,
  // every session reads as not running.
  void set_live_source(live_source* source) { live_.store(source); }
  // The running server's writer. The API reads and writes the store
  // directly, so before each call it waits for what the server submitted
  // earlier to be committed (records nobody waits for may linger): the call
  // then reads it, and its own records follow it in the audit trail.
  void set_server_writes(store::store_writer* writer) { server_writes_.store(writer); }

 private:
  response route(const request& req);
  response live(const std::string& session);
  // sessions_api.cpp
  response create_session(const std::string& body);
  response list_sessions(const std::string& query);
  response get_session(const std::string& id);
  response replace_session(const std::string& id, const std::string& body);
  response cancel_session(const std::string& id);
  response session_tokens(const std::string& id, const std::string& body);
  // consents_api.cpp
  response grant_consent(const std::string& session, const std::string& body);
  response list_consents(const std::string& session);
  response revoke_consent(const std::string& session, const std::string& subject);
  // Tells the running rooms, if any, of a committed change.
  void consent_changed(const std::string& session, const store::consent_record& record);
  response attendance(const std::string& session, bool csv);
  response kept_chat(const std::string& session, bool csv);  // chat_api.cpp
  response weekly(const std::string& subject, const std::string& query);
  response audit_list(const std::string& query);
  response audit_verify();
  response mint(const std::string& body);
  response retention_purge(const std::string& body);  // retention_api.cpp
  // worksheets_api.cpp
  response list_worksheets(const std::string& session, const std::optional<std::string>& subject);
  response get_worksheet(const std::string& session, const std::string& instance,
                         const std::string& format, const std::optional<std::string>& subject);
  struct session_sheets {
    std::optional<response> refused;  // set: answer this instead
    std::vector<store::worksheet_record> sheets;
    std::optional<store::session_record> plan;
  };
  // The session's sheets (those `subject` could read, if given), or why not.
  session_sheets worksheets_of(const std::string& session,
                               const std::optional<std::string>& subject);
  // templates_api.cpp: /admin/v1/worksheet-templates[/{id}]
  response templates_route(const request& req, const std::vector<std::string>& path,
                           const std::map<std::string, std::string>& query);
  response list_templates(bool include_retired);
  response get_template(const std::string& id);
  response save_template(const std::string& body);
  response retire_template(const std::string& id);
  static const v1::WorksheetTemplate* template_of(const core::worksheet_templates* templates,
                                                  const store::worksheet_record& w);
  // Recorded as the admin's act; `authenticated` false records it as an
  // unauthenticated caller's (actor "", role "unauthenticated"), like a failed
  // WebSocket authentication.
  void audit(const std::string& action, const std::string& target, const std::string& session,
             const std::string& outcome, const std::string& detail = {}, bool authenticated = true);

  settings config_;
  store::store& store_;
  const auth::signing_key& key_;
  wall_clock now_;
  std::shared_ptr<admin::template_catalog> templates_;
  std::atomic<live_source*> live_{nullptr};
  std::atomic<store::store_writer*> server_writes_{nullptr};
};

}  // namespace hearth::admin
