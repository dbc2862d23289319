// Sessions, their rosters, bans and consents in the SQLite store.
#include "store/sqlite_store.hpp"

namespace hearth::store {

void sqlite_store::put_session(const session_record& r) {
  sqlite::statement upsert(
      db_,
      "INSERT INTO sessions (id, title, kind, scheduled_start_ms, scheduled_end_ms, lobby_policy, "
      "admit_before_facilitator, chat_policy, keep_chat, status, version, created_at_ms, "
      "updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
      "ON CONFLICT (id) DO UPDATE SET title = ?2, kind = ?3, scheduled_start_ms = ?4, "
      "scheduled_end_ms = ?5, lobby_policy = ?6, admit_before_facilitator = ?7, chat_policy = ?8, "
      "keep_chat = ?9, status = ?10, version = ?11, created_at_ms = ?12, updated_at_ms = ?13");
  upsert.bind(1, r.id)
      .bind(2, r.title)
      .bind(3, r.kind)
      .bind(4, r.scheduled_start)
      .bind(5, r.scheduled_end)
      .bind(6, r.lobby_policy)
      .bind(7, std::int64_t{r.admit_before_facilitator ? 1 : 0})
      .bind(8, r.chat_policy)
      .bind(9, std::int64_t{r.keep_chat ? 1 : 0})
      .bind(10, r.status)
      .bind(11, r.version)
      .bind(12, r.created_at)
      .bind(13, r.updated_at)
      .run();
  sqlite::statement clear(db_, "DELETE FROM session_roster WHERE session_id = ?");
  clear.bind(1, r.id).run();
  sqlite::statement add(
      db_,
      "INSERT INTO session_roster (session_id, position, subject, display_name, "
      "role, relationship, accompanies, program) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  std::int64_t position = 0;
  for (const auto& e : r.roster) {
    add.bind(1, r.id)
        .bind(2, position++)
        .bind(3, e.subject)
        .bind(4, e.display_name)
        .bind(5, e.role)
        .bind(6, e.relationship)
        .bind(7, e.accompanies)
        .bind(8, e.program)
        .run();
    add.reset();
  }
}

namespace {
constexpr const char* session_columns =
    "SELECT id, title, kind, scheduled_start_ms, scheduled_end_ms, lobby_policy, "
    "admit_before_facilitator, chat_policy, keep_chat, status, version, created_at_ms, "
    "updated_at_ms FROM sessions ";
}  // namespace

session_record sqlite_store::read_session(sqlite::statement& row) {
  session_record r;
  r.id = row.text(0);
  r.title = row.text(1);
  r.kind = row.text(2);
  r.scheduled_start = row.integer(3);
  r.scheduled_end = row.integer(4);
  r.lobby_policy = row.text(5);
  r.admit_before_facilitator = row.integer(6) != 0;
  r.chat_policy = row.text(7);
  r.keep_chat = row.integer(8) != 0;
  r.status = row.text(9);
  r.version = row.integer(10);
  r.created_at = row.integer(11);
  r.updated_at = row.integer(12);
  sqlite::statement people(db_,
                           "SELECT subject, display_name, role, relationship, accompanies, program "
                           "FROM session_roster WHERE session_id = ? ORDER BY position");
  people.bind(1, r.id);
  while (people.step()) {
    r.roster.push_back({people.text(0), people.text(1), people.text(2), people.text(3),
                        people.text(4), people.text(5)});
  }
  return r;
}

std::optional<session_record> sqlite_store::session(const std::string& id) {
  std::lock_guard lock(mutex_);
  sqlite::statement q(db_.handle(), std::string(session_columns) + "WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) {
    return std::nullopt;
  }
  return read_session(q);
}

std::vector<session_record> sqlite_store::sessions(time_ms from, time_ms to) {
  std::lock_guard lock(mutex_);
  sqlite::statement q(db_.handle(), std::string(session_columns) +
                                        "WHERE scheduled_start_ms >= ? AND scheduled_start_ms < ? "
                                        "ORDER BY scheduled_start_ms, id");
  q.bind(1, from).bind(2, to);
  std::vector<session_record> out;
  while (q.step()) {
    out.push_back(read_session(q));
  }
  return out;
}

void sqlite_store::put_ban(const ban_put& b) {
  sqlite::statement upsert(
      db_,
      "INSERT INTO bans (session, subject, display_name, role, banned_by, banned_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (session, subject) DO UPDATE SET "
      "display_name = ?3, role = ?4, banned_by = ?5, banned_at_ms = ?6");
  upsert.bind(1, b.session)
      .bind(2, b.subject)
      .bind(3, b.display_name)
      .bind(4, b.role)
      .bind(5, b.banned_by)
      .bind(6, b.at)
      .run();
}

void sqlite_store::lift_ban(const ban_lift& l) {
  sqlite::statement remove(db_, "DELETE FROM bans WHERE session = ? AND subject = ?");
  remove.bind(1, l.session).bind(2, l.subject).run();
}

std::vector<ban_record> sqlite_store::bans(const std::string& session) {
  std::lock_guard lock(mutex_);
  // Bans from the same moment by subject, byte by byte, as on PostgreSQL.
  sqlite::statement q(db_,
                      "SELECT subject, display_name, role, banned_by, banned_at_ms FROM bans "
                      "WHERE session = ? ORDER BY banned_at_ms, subject");
  q.bind(1, session);
  std::vector<ban_record> out;
  while (q.step()) {
    out.push_back({q.text(0), q.text(1), q.text(2), q.text(3), q.integer(4)});
  }
  return out;
}

void sqlite_store::put_consent(const consent_put& c) {
  // A new grant replaces the old one, a revoked one included: it is in effect again.
  sqlite::statement upsert(
      db_,
      "INSERT INTO consents (session, subject, method, recorded_by, granted_at_ms, expires_at_ms, "
      "revoked_at_ms, revoked_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, '') "
      "ON CONFLICT (session, subject) DO UPDATE SET method = ?3, recorded_by = ?4, "
      "granted_at_ms = ?5, expires_at_ms = ?6, revoked_at_ms = NULL, revoked_by = ''");
  upsert.bind(1, c.session)
      .bind(2, c.subject)
      .bind(3, c.method)
      .bind(4, c.recorded_by)
      .bind(5, c.granted_at);
  c.expires_at ? upsert.bind(6, *c.expires_at) : upsert.bind_null(6);
  upsert.run();
}

void sqlite_store::revoke_consent(const consent_revoke& r) {
  // Only a consent in effect: a second revocation keeps the first one's time and author.
  sqlite::statement revoke(db_,
                           "UPDATE consents SET revoked_at_ms = ?, revoked_by = ? "
                           "WHERE session = ? AND subject = ? AND revoked_at_ms IS NULL");
  revoke.bind(1, r.at).bind(2, r.revoked_by).bind(3, r.session).bind(4, r.subject).run();
}

std::vector<consent_record> sqlite_store::consents(const std::string& session) {
  std::lock_guard lock(mutex_);
  // By subject, byte by byte, as on PostgreSQL.
  sqlite::statement q(db_,
                      "SELECT subject, method, recorded_by, granted_at_ms, expires_at_ms, "
                      "revoked_at_ms, revoked_by FROM consents WHERE session = ? ORDER BY subject");
  q.bind(1, session);
  std::vector<consent_record> out;
  while (q.step()) {
    consent_record c{q.text(0), q.text(1), q.text(2), q.integer(3), {}, {}, q.text(6)};
    if (!q.is_null(4)) {
      c.expires_at = q.integer(4);
    }
    if (!q.is_null(5)) {
      c.revoked_at = q.integer(5);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace hearth::store
