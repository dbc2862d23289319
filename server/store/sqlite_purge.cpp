// Retention in the SQLite store: the purge, in one transaction, then a WAL
// checkpoint so that no copy of a deleted row stays in the WAL (also run after
// a commit that deleted kept chat).
#include <string_view>

#include "store/sqlite_store.hpp"
#include "telemetry/log.hpp"

namespace hearth::store {

purge_report sqlite_store::purge(const purge_request& request) {
  std::lock_guard lock(mutex_);
  purge_report report;
  const auto delete_rows = [this](const std::string& sql, time_ms before) {
    sqlite::statement q(db_.handle(), sql);
    q.bind(1, before).run();
    return static_cast<std::int64_t>(sqlite3_changes(db_.handle()));
  };
  {
    sqlite::transaction tx(db_);
    const time_ms content = request.content_before;
    // Bans, consents and kept chat first, while the sessions they belong to are
    // there to say.
    report.bans = delete_rows(
        "DELETE FROM bans WHERE session IN (SELECT id FROM sessions WHERE scheduled_end_ms < ?1) "
        "OR (banned_at_ms < ?1 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = "
        "bans.session))",
        content);
    report.consents = delete_rows(
        "DELETE FROM consents WHERE session IN (SELECT id FROM sessions WHERE scheduled_end_ms < "
        "?1) OR (granted_at_ms < ?1 AND (revoked_at_ms IS NULL OR revoked_at_ms < ?1) "
        "AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = consents.session))",
        content);
    report.chat_messages = delete_rows(
        "DELETE FROM kept_chat WHERE session IN (SELECT id FROM sessions WHERE scheduled_end_ms "
        "< ?1) OR (sent_at_ms < ?1 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = "
        "kept_chat.session))",
        content);
    // A session's worksheets (their batches first), or by their own time in
    // rooms without a plan.
    const std::string purged_sheets =
        "(session IN (SELECT id FROM sessions WHERE scheduled_end_ms < ?1) OR "
        "(created_at_ms < ?1 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = "
        "worksheets.session)))";
    delete_rows(
        "DELETE FROM worksheet_commits WHERE (session, instance_id) IN (SELECT session, "
        "instance_id FROM worksheets WHERE " +
            purged_sheets + ")",
        content);
    report.worksheets = delete_rows("DELETE FROM worksheets WHERE " + purged_sheets, content);
    report.roster_entries = delete_rows(
        "DELETE FROM session_roster WHERE session_id IN "
        "(SELECT id FROM sessions WHERE scheduled_end_ms < ?1)",
        content);
    report.sessions = delete_rows("DELETE FROM sessions WHERE scheduled_end_ms < ?1", content);
    if (request.audit_before) {
      const time_ms records = *request.audit_before;
      report.attendance = delete_rows(
          "DELETE FROM attendance WHERE left_at_ms IS NOT NULL AND left_at_ms < ?1", records);
      // A prefix of the chain: up to the record before the first one to keep.
      std::optional<audit_anchor> anchor;
      {
        sqlite::statement last(
            db_.handle(),
            "SELECT seq, hash FROM audit WHERE seq < COALESCE((SELECT MIN(seq) FROM audit WHERE "
            "at_ms >= ?1), (SELECT MAX(seq) FROM audit) + 1) ORDER BY seq DESC LIMIT 1");
        if (last.bind(1, records).step()) {
          anchor = audit_anchor{last.integer(0), last.text(1)};
        }
      }
      if (anchor) {
        sqlite::statement keep(db_.handle(),
                               "INSERT INTO audit_anchor (id, seq, hash) VALUES (1, ?1, ?2) "
                               "ON CONFLICT (id) DO UPDATE SET seq = ?1, hash = ?2");
        keep.bind(1, anchor->seq).bind(2, anchor->hash).run();
        report.audit = delete_rows("DELETE FROM audit WHERE seq <= ?1", anchor->seq);
      }
    }
    tx.commit();
  }
  truncate_wal();
  return report;
}

// secure_delete zeroed the deleted rows in the pages the commit wrote, but
// the WAL still holds the older copies of those pages: copy everything into
// the database file and truncate the WAL to nothing. What was deleted is
// committed whatever happens here.
void sqlite_store::truncate_wal() {
  try {
    sqlite::statement checkpoint(db_.handle(), "PRAGMA wal_checkpoint(TRUNCATE)");
    if (checkpoint.step() && checkpoint.integer(0) != 0) {
      // A reader held on past the busy timeout; the next checkpoint (a purge,
      // a deletion, SQLite's own) tries again.
      telemetry::log(telemetry::level::warn, "wal_checkpoint_incomplete", {});
    }
  } catch (const store_error& e) {
    telemetry::log(telemetry::level::warn, "wal_checkpoint_incomplete",
                   {{"kind", std::string_view(kind_name(e.which()))}});
  }
}

}  // namespace hearth::store
