// The embedded default store: one SQLite file, WAL, synchronous=FULL (a commit
// is on disk when it returns), secure_delete=ON (deleted content is zeroed;
// a purge, and a commit that deletes kept chat, also truncate the WAL),
// temporary data in memory, migrations applied when it opens.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/audit_chain.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace hearth::store {

class sqlite_store final : public store {
 public:
  // Opens (creating with mode 0600 if needed) and migrates the database.
  explicit sqlite_store(const std::string& path);

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
  // sqlite_chat.cpp
  std::vector<kept_chat_message> kept_chat(const std::string& session) override;
  // sqlite_purge.cpp
  purge_report purge(const purge_request& request) override;

  // The schema version after migrations.
  int schema_version();

 private:
  void migrate();
  void truncate_wal();  // sqlite_purge.cpp
  std::optional<audit_anchor> read_anchor();
  void append_audit(const audit_entry& entry);
  void open_segment(const attendance_open& open);
  void close_segment(const attendance_close& close);
  void mark_alive(const alive_mark& mark);
  void put_session(const session_record& record);                      // sqlite_sessions.cpp
  void put_ban(const ban_put& ban);                                    // sqlite_sessions.cpp
  void lift_ban(const ban_lift& lift);                                 // sqlite_sessions.cpp
  void put_consent(const consent_put& consent);                        // sqlite_sessions.cpp
  void revoke_consent(const consent_revoke& revoke);                   // sqlite_sessions.cpp
  void keep_chat(const kept_chat_put& put);                            // sqlite_chat.cpp
  void forget_chat(const kept_chat_delete& gone);                      // sqlite_chat.cpp
  void put_worksheet(const worksheet_put& put);                        // sqlite_worksheets.cpp
  void put_worksheet_commit(const worksheet_commit_put& put);          // sqlite_worksheets.cpp
  void share_worksheet(const worksheet_share_put& put);                // sqlite_worksheets.cpp
  void put_worksheet_template(const worksheet_template_put& put);      // sqlite_worksheets.cpp
  void retire_worksheet_template(const worksheet_template_retire& r);  // sqlite_worksheets.cpp
  session_record read_session(sqlite::statement& row);
  static std::vector<attendance_segment> read_segments(sqlite::statement& q);

  std::mutex mutex_;  // one caller at a time on the connection
  sqlite::connection db_;
};

// The database file inside a data directory.
std::string sqlite_path(const std::string& data_dir);

}  // namespace hearth::store
