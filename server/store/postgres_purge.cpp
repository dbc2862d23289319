// Retention in the PostgreSQL store: the purge, in one transaction, then a
// VACUUM of the tables it deleted from.
#include <array>
#include <string_view>
#include <utility>

#include "store/postgres_store.hpp"
#include "telemetry/log.hpp"

namespace hearth::store {

// Deleted rows stay in the table files (dead tuples) until VACUUM reclaims
// them, and in the server's WAL, archives and backups: docs/operations.md,
// "Retention".
purge_report postgres_store::purge(const purge_request& request) {
  std::lock_guard lock(mutex_);
  ready();
  pg::transaction tx(db_);
  // The chain first, as in commit(), so that lock orders agree.
  if (request.audit_before) {
    lock_chain();
  }
  const auto delete_rows = [this](const char* doing, const std::string& sql, time_ms before) {
    return db_
        .exec(doing, "WITH gone AS (" + sql + " RETURNING 1) SELECT count(*) FROM gone",
              pg::params().integer(before))
        .integer(0, 0);
  };
  purge_report report;
  const time_ms content = request.content_before;
  // Bans, consents and kept chat first, while the sessions they belong to are
  // there to say.
  report.bans = delete_rows(
      "purge bans",
      "DELETE FROM bans WHERE session IN (SELECT id FROM sessions WHERE scheduled_end_ms < $1) "
      "OR (banned_at_ms < $1 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = bans.session))",
      content);
  report.consents = delete_rows(
      "purge consents",
      "DELETE FROM consents WHERE session IN (SELECT id FROM sessions WHERE scheduled_end_ms < "
      "$1) OR (granted_at_ms < $1 AND (revoked_at_ms IS NULL OR revoked_at_ms < $1) "
      "AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = consents.session))",
      content);
  report.chat_messages = delete_rows(
      "purge kept chat",
      "DELETE FROM kept_chat WHERE session IN (SELECT id FROM sessions WHERE scheduled_end_ms < "
      "$1) OR (sent_at_ms < $1 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = "
      "kept_chat.session))",
      content);
  // A session's worksheets (their batches first), or by their own time in
  // rooms without a plan.
  const std::string purged_sheets =
      "(session IN (SELECT id FROM sessions WHERE scheduled_end_ms < $1) OR "
      "(created_at_ms < $1 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = "
      "worksheets.session)))";
  delete_rows("purge worksheet batches",
              "DELETE FROM worksheet_commits WHERE (session, instance_id) IN "
              "(SELECT session, instance_id FROM worksheets WHERE " +
                  purged_sheets + ")",
              content);
  report.worksheets =
      delete_rows("purge worksheets", "DELETE FROM worksheets WHERE " + purged_sheets, content);
  report.roster_entries = delete_rows("purge rosters",
                                      "DELETE FROM session_roster WHERE session_id IN "
                                      "(SELECT id FROM sessions WHERE scheduled_end_ms < $1)",
                                      content);
  report.sessions =
      delete_rows("purge sessions", "DELETE FROM sessions WHERE scheduled_end_ms < $1", content);
  if (request.audit_before) {
    const time_ms records = *request.audit_before;
    report.attendance = delete_rows(
        "purge attendance",
        "DELETE FROM attendance WHERE left_at_ms IS NOT NULL AND left_at_ms < $1", records);
    // A prefix of the chain: up to the record before the first one to keep.
    const auto last = db_.exec(
        "find the audit records to purge",
        "SELECT seq, hash FROM audit WHERE seq < COALESCE((SELECT MIN(seq) FROM audit WHERE "
        "at_ms >= $1), (SELECT MAX(seq) FROM audit) + 1) ORDER BY seq DESC LIMIT 1",
        pg::params().integer(records));
    if (last.rows() > 0) {
      const audit_anchor anchor{last.integer(0, 0), last.bytes(0, 1)};
      db_.exec("keep the audit anchor",
               "INSERT INTO audit_anchor (id, seq, hash) VALUES (1, $1, $2) ON CONFLICT (id) "
               "DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
               pg::params().integer(anchor.seq).text(anchor.hash));
      report.audit =
          delete_rows("purge audit records", "DELETE FROM audit WHERE seq <= $1", anchor.seq);
    }
  }
  tx.commit();
  vacuum(report);
  return report;
}

// VACUUM (outside any transaction) makes the space of the deleted rows
// reusable and drops their index entries; only the table's owner (or a
// superuser) may run it, and a role that may not is told so by a warning, not
// an error. So the owner check comes first, and whatever is left is logged by
// name for the operator (docs/operations.md, "Retention"). Best effort: the
// purge is committed whatever happens here.
void postgres_store::vacuum(const purge_report& report) {
  const std::array<std::pair<std::string_view, std::int64_t>, 9> purged = {{
      {"kept_chat", report.chat_messages},
      {"worksheet_commits", report.worksheets},
      {"worksheets", report.worksheets},
      {"bans", report.bans},
      {"consents", report.consents},
      {"session_roster", report.roster_entries},
      {"sessions", report.sessions},
      {"attendance", report.attendance},
      {"audit", report.audit},
  }};
  std::string skipped;
  for (const auto& [table, deleted] : purged) {
    if (deleted == 0) {
      continue;
    }
    try {
      const auto owned = db_.exec(
          "check who may vacuum",
          "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n "
          "ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1) "
          "AND pg_has_role(c.relowner, 'USAGE')",
          pg::params().text(table));
      if (owned.rows() == 0) {
        skipped += (skipped.empty() ? "" : ",") + std::string(table);
        continue;
      }
      db_.exec("vacuum a purged table", "VACUUM " + owned.bytes(0, 0));
    } catch (const store_error& e) {
      telemetry::log(telemetry::level::warn, "postgres_vacuum_failed",
                     {{"table", table}, {"kind", std::string_view(kind_name(e.which()))}});
    }
  }
  if (!skipped.empty()) {
    telemetry::log(telemetry::level::warn, "postgres_vacuum_skipped",
                   {{"tables", std::string_view(skipped)},
                    {"reason", std::string_view("not the tables' owner")}});
  }
}

}  // namespace hearth::store
