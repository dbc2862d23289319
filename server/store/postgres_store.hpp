// The store on a PostgreSQL server, through libpq: the same tables and
// semantics as the SQLite store, for deployments that keep their records in
// a managed database. One connection, used by one caller at a time; lost
// connections are re-established on the next call.
//
// Durability: it refuses to start (and to go on after a reconnect) unless the
// server runs with fsync = on and the session's synchronous_commit is not off,
// so that commit() returns only once the transaction is flushed to disk. A
// commit whose answer is lost with the connection throws (io) although it may
// have been applied; it is never retried, so nothing is recorded twice.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "store/audit_chain.hpp"
#include "store/pg_db.hpp"
#include "store/store.hpp"

namespace hearth::store {

class postgres_store final : public store {
 public:
  // Connects with a libpq conninfo (key=value pairs, a postgresql:// URI or a
  // database name), checks the server's durability settings and migrates the
  // schema first on the search_path. Throws store_error.
  explicit postgres_store(const std::string& conninfo);

  void commit(const std::vector<write>& batch) override;
  std::int64_t begin_run(time_ms now) override;
  std::vector<audit_record> audit(const audit_query& query) override;
  audit_verification verify_audit() override;
  std::vector<attendance_segment> attendance(const std::string& session) override;
  std::optional<session_record> session(const std::string& id) override;
  std::vector<session_record> sessions(time_ms from, time_ms to) override;
  std::vector<ban_record> bans(const std::string& session) override;
  std::vector<consent_record> consents(const std::string& session) override;
  std::vector<worksheet_record> worksheets(const std::string& session) override;
  std::vector<worksheet_template_record> worksheet_templates(retired_templates which) override;
  std::vector<attendance_segment> attendance_of(const std::string& subject, time_ms from,
                                                time_ms to) override;
  // postgres_chat.cpp
  std::vector<kept_chat_message> kept_chat(const std::string& session) override;
  // postgres_purge.cpp
  purge_report purge(const purge_request& request) override;

  // The schema version after migrations.
  int schema_version();

 private:
  struct chain_head {
    std::int64_t seq = 0;
    std::string hash;
  };

  void ready();
  void prepare_session();
  void migrate();
  chain_head lock_chain();
  std::optional<audit_anchor> read_anchor();
  void append_audit(chain_head& head, const audit_entry& entry);
  void open_segment(const attendance_open& open);
  void close_segment(const attendance_close& close);
  void mark_alive(const alive_mark& mark);
  void put_session(const session_record& record);                      // postgres_sessions.cpp
  void put_ban(const ban_put& ban);                                    // postgres_sessions.cpp
  void lift_ban(const ban_lift& lift);                                 // postgres_sessions.cpp
  void put_consent(const consent_put& consent);                        // postgres_sessions.cpp
  void revoke_consent(const consent_revoke& revoke);                   // postgres_sessions.cpp
  void keep_chat(const kept_chat_put& put);                            // postgres_chat.cpp
  void forget_chat(const kept_chat_delete& gone);                      // postgres_chat.cpp
  void vacuum(const purge_report& report);                             // postgres_purge.cpp
  void put_worksheet(const worksheet_put& put);                        // postgres_worksheets.cpp
  void put_worksheet_commit(const worksheet_commit_put& put);          // postgres_worksheets.cpp
  void share_worksheet(const worksheet_share_put& put);                // postgres_worksheets.cpp
  void put_worksheet_template(const worksheet_template_put& put);      // postgres_worksheets.cpp
  void retire_worksheet_template(const worksheet_template_retire& r);  // postgres_worksheets.cpp
  static std::vector<session_record> read_sessions(const pg::result& rows);
  static std::vector<attendance_segment> read_segments(const pg::result& rows);

  std::mutex mutex_;  // one caller at a time on the connection
  pg::connection db_;
  bool prepared_ = false;  // the session's settings were checked since it connected
};

}  // namespace hearth::store
