// Sessions, their rosters, bans and consents in the PostgreSQL store.
#include <algorithm>

#include "store/postgres_store.hpp"

namespace hearth::store {
namespace {

// The columns of a session and of its roster entries, as read_sessions()
// expects them: one row per roster entry (or one row with a NULL roster part
// for a session without a roster), grouped by session, in roster order.
const std::string session_rows =
    "SELECT s.id, s.title, s.kind, s.scheduled_start_ms, s.scheduled_end_ms, s.lobby_policy, "
    "s.admit_before_facilitator, s.chat_policy, s.keep_chat, s.status, s.version, "
    "s.created_at_ms, s.updated_at_ms, r.subject, r.display_name, r.role, r.relationship, "
    "r.accompanies, r.program "
    "FROM sessions s LEFT JOIN session_roster r ON r.session_id = s.id ";

// Roster entries per INSERT: one round trip for any usual roster, and well
// under PostgreSQL's 65535 parameters per statement for any roster at all.
constexpr std::size_t roster_rows_per_insert = 1000;

}  // namespace

void postgres_store::put_session(const session_record& r) {
  // The session's row is locked by the upsert until the transaction ends, so
  // that two stores replacing the same session's roster take turns.
  db_.exec("store a session",
           "INSERT INTO sessions (id, title, kind, scheduled_start_ms, scheduled_end_ms, "
           "lobby_policy, admit_before_facilitator, chat_policy, keep_chat, status, version, "
           "created_at_ms, updated_at_ms) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
           "ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, kind = EXCLUDED.kind, "
           "scheduled_start_ms = EXCLUDED.scheduled_start_ms, "
           "scheduled_end_ms = EXCLUDED.scheduled_end_ms, lobby_policy = EXCLUDED.lobby_policy, "
           "admit_before_facilitator = EXCLUDED.admit_before_facilitator, "
           "chat_policy = EXCLUDED.chat_policy, keep_chat = EXCLUDED.keep_chat, "
           "status = EXCLUDED.status, version = EXCLUDED.version, "
           "created_at_ms = EXCLUDED.created_at_ms, updated_at_ms = EXCLUDED.updated_at_ms",
           pg::params()
               .bytes(r.id)
               .bytes(r.title)
               .bytes(r.kind)
               .integer(r.scheduled_start)
               .integer(r.scheduled_end)
               .bytes(r.lobby_policy)
               .boolean(r.admit_before_facilitator)
               .bytes(r.chat_policy)
               .boolean(r.keep_chat)
               .bytes(r.status)
               .integer(r.version)
               .integer(r.created_at)
               .integer(r.updated_at));
  db_.exec("clear a session's roster", "DELETE FROM session_roster WHERE session_id = $1",
           pg::params().bytes(r.id));
  for (std::size_t first = 0; first < r.roster.size(); first += roster_rows_per_insert) {
    const auto last = std::min(r.roster.size(), first + roster_rows_per_insert);
    std::string sql =
        "INSERT INTO session_roster (session_id, position, subject, display_name, role, "
        "relationship, accompanies, program) VALUES ";
    auto p = pg::params().bytes(r.id);
    int next = 2;  // $1 is the session's id
    for (std::size_t i = first; i < last; ++i) {
      const auto& e = r.roster[i];
      sql += i == first ? "($1" : ", ($1";
      for (int column = 0; column < 7; ++column) {
        sql += ", $" + std::to_string(next++);
      }
      sql += ")";
      p.integer(static_cast<std::int64_t>(i))
          .bytes(e.subject)
          .bytes(e.display_name)
          .bytes(e.role)
          .bytes(e.relationship)
          .bytes(e.accompanies)
          .bytes(e.program);
    }
    db_.exec("store a session's roster", sql, p);
  }
}

std::optional<session_record> postgres_store::session(const std::string& id) {
  std::lock_guard lock(mutex_);
  ready();
  auto found =
      read_sessions(db_.exec("read a session", session_rows + "WHERE s.id = $1 ORDER BY r.position",
                             pg::params().bytes(id)));
  if (found.empty()) {
    return std::nullopt;
  }
  return std::move(found.front());
}

std::vector<session_record> postgres_store::sessions(time_ms from, time_ms to) {
  std::lock_guard lock(mutex_);
  ready();
  // One statement, so one snapshot: no roster from after its session was read.
  return read_sessions(
      db_.exec("read sessions",
               session_rows + "WHERE s.scheduled_start_ms >= $1 AND s.scheduled_start_ms < $2 "
                              "ORDER BY s.scheduled_start_ms, s.id, r.position",
               pg::params().integer(from).integer(to)));
}

std::vector<session_record> postgres_store::read_sessions(const pg::result& rows) {
  std::vector<session_record> out;
  for (int i = 0; i < rows.rows(); ++i) {
    auto id = rows.bytes(i, 0);
    if (out.empty() || out.back().id != id) {
      session_record r;
      r.id = std::move(id);
      r.title = rows.bytes(i, 1);
      r.kind = rows.bytes(i, 2);
      r.scheduled_start = rows.integer(i, 3);
      r.scheduled_end = rows.integer(i, 4);
      r.lobby_policy = rows.bytes(i, 5);
      r.admit_before_facilitator = rows.boolean(i, 6);
      r.chat_policy = rows.bytes(i, 7);
      r.keep_chat = rows.boolean(i, 8);
      r.status = rows.bytes(i, 9);
      r.version = rows.integer(i, 10);
      r.created_at = rows.integer(i, 11);
      r.updated_at = rows.integer(i, 12);
      out.push_back(std::move(r));
    }
    if (!rows.is_null(i, 13)) {  // a session without a roster has one row, without an entry
      out.back().roster.push_back({rows.bytes(i, 13), rows.bytes(i, 14), rows.bytes(i, 15),
                                   rows.bytes(i, 16), rows.bytes(i, 17), rows.bytes(i, 18)});
    }
  }
  return out;
}

void postgres_store::put_ban(const ban_put& b) {
  db_.exec("store a ban",
           "INSERT INTO bans (session, subject, display_name, role, banned_by, banned_at_ms) "
           "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (session, subject) DO UPDATE SET "
           "display_name = EXCLUDED.display_name, role = EXCLUDED.role, "
           "banned_by = EXCLUDED.banned_by, banned_at_ms = EXCLUDED.banned_at_ms",
           pg::params()
               .bytes(b.session)
               .bytes(b.subject)
               .bytes(b.display_name)
               .bytes(b.role)
               .bytes(b.banned_by)
               .integer(b.at));
}

void postgres_store::lift_ban(const ban_lift& l) {
  db_.exec("lift a ban", "DELETE FROM bans WHERE session = $1 AND subject = $2",
           pg::params().bytes(l.session).bytes(l.subject));
}

std::vector<ban_record> postgres_store::bans(const std::string& session) {
  std::lock_guard lock(mutex_);
  ready();
  // Bans from the same moment by subject: BYTEA sorts byte by byte, as SQLite does.
  const auto rows = db_.exec("read bans",
                             "SELECT subject, display_name, role, banned_by, banned_at_ms "
                             "FROM bans WHERE session = $1 ORDER BY banned_at_ms, subject",
                             pg::params().bytes(session));
  std::vector<ban_record> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) {
    out.push_back({rows.bytes(i, 0), rows.bytes(i, 1), rows.bytes(i, 2), rows.bytes(i, 3),
                   rows.integer(i, 4)});
  }
  return out;
}

void postgres_store::put_consent(const consent_put& c) {
  // A new grant replaces the old one, a revoked one included: it is in effect again.
  db_.exec("store a consent",
           "INSERT INTO consents (session, subject, method, recorded_by, granted_at_ms, "
           "expires_at_ms, revoked_at_ms, revoked_by) VALUES ($1, $2, $3, $4, $5, $6, NULL, '') "
           "ON CONFLICT (session, subject) DO UPDATE SET method = EXCLUDED.method, "
           "recorded_by = EXCLUDED.recorded_by, granted_at_ms = EXCLUDED.granted_at_ms, "
           "expires_at_ms = EXCLUDED.expires_at_ms, revoked_at_ms = NULL, revoked_by = ''",
           pg::params()
               .bytes(c.session)
               .bytes(c.subject)
               .bytes(c.method)
               .bytes(c.recorded_by)
               .integer(c.granted_at)
               .integer_or_null(c.expires_at));
}

void postgres_store::revoke_consent(const consent_revoke& r) {
  // Only a consent in effect: a second revocation keeps the first one's time and author.
  db_.exec("revoke a consent",
           "UPDATE consents SET revoked_at_ms = $1, revoked_by = $2 "
           "WHERE session = $3 AND subject = $4 AND revoked_at_ms IS NULL",
           pg::params().integer(r.at).bytes(r.revoked_by).bytes(r.session).bytes(r.subject));
}

std::vector<consent_record> postgres_store::consents(const std::string& session) {
  std::lock_guard lock(mutex_);
  ready();
  // By subject: BYTEA sorts byte by byte, as SQLite does.
  const auto rows = db_.exec("read consents",
                             "SELECT subject, method, recorded_by, granted_at_ms, expires_at_ms, "
                             "revoked_at_ms, revoked_by FROM consents WHERE session = $1 "
                             "ORDER BY subject",
                             pg::params().bytes(session));
  std::vector<consent_record> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) {
    consent_record c{
        rows.bytes(i, 0), rows.bytes(i, 1), rows.bytes(i, 2), rows.integer(i, 3), {}, {},
        rows.bytes(i, 6)};
    if (!rows.is_null(i, 4)) {
      c.expires_at = rows.integer(i, 4);
    }
    if (!rows.is_null(i, 5)) {
      c.revoked_at = rows.integer(i, 5);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace hearth::store
