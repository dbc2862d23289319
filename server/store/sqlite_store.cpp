// The SQLite store: opening and migrating, writes and queries.
#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string_view>

#include "store/audit_chain.hpp"
#include "store/migrations.hpp"

namespace hearth::store {
namespace {

// Creates the file with mode 0600 before SQLite does (its WAL and shared-memory
// files then take the same mode); returns the path.
const std::string& private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw store_error(store_error::kind::io, "cannot create " + path);
  }
  ::close(fd);
  return path;
}

template <typename... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace

const char* kind_name(store_error::kind k) {
  switch (k) {
    case store_error::kind::full:
      return "full";
    case store_error::kind::busy:
      return "busy";
    case store_error::kind::corrupt:
      return "corrupt";
    case store_error::kind::io:
      return "io";
  }
  return "io";
}

std::string sqlite_path(const std::string& data_dir) { return data_dir + "/hearth.db"; }

sqlite_store::sqlite_store(const std::string& path) : db_(private_file(path)) {
  sqlite3_busy_timeout(db_.handle(), 5000);
  db_.exec("PRAGMA journal_mode=WAL");
  db_.exec("PRAGMA synchronous=FULL");
  db_.exec("PRAGMA secure_delete=ON");
  // Sorts and statement journals never reach a temporary file, where deleted
  // content could outlive a purge.
  db_.exec("PRAGMA temp_store=MEMORY");
  db_.exec("PRAGMA foreign_keys=ON");
  migrate();
}

void sqlite_store::migrate() {
  std::lock_guard lock(mutex_);
  db_.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "applied_at_ms INTEGER NOT NULL)");
  const auto migrations = sqlite_migrations();
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const auto version = static_cast<std::int64_t>(i + 1);
    sqlite::transaction tx(db_);
    sqlite::statement seen(db_, "SELECT 1 FROM schema_migrations WHERE version = ?");
    if (seen.bind(1, version).step()) {
      continue;  // the transaction rolls back: nothing was written
    }
    db_.exec(migrations[i]);
    sqlite::statement record(db_,
                             "INSERT INTO schema_migrations VALUES (?, CAST(strftime('%s','now') "
                             "AS INTEGER) * 1000)");
    record.bind(1, version).run();
    tx.commit();
  }
}

int sqlite_store::schema_version() {
  std::lock_guard lock(mutex_);
  sqlite::statement q(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  q.step();
  return static_cast<int>(q.integer(0));
}

void sqlite_store::commit(const std::vector<write>& batch) {
  std::lock_guard lock(mutex_);
  sqlite::transaction tx(db_);
  bool forgot_chat = false;
  for (const auto& w : batch) {
    std::visit(
        overloaded{[&](const audit_entry& e) { append_audit(e); },
                   [&](const attendance_open& o) { open_segment(o); },
                   [&](const attendance_close& c) { close_segment(c); },
                   [&](const alive_mark& m) { mark_alive(m); },
                   [&](const session_put& p) { put_session(p.record); },
                   [&](const ban_put& put) { put_ban(put); },
                   [&](const ban_lift& lift) { lift_ban(lift); },
                   [&](const consent_put& put) { put_consent(put); },
                   [&](const consent_revoke& revoke) { revoke_consent(revoke); },
                   [&](const kept_chat_put& put) { keep_chat(put); },
                   [&](const kept_chat_delete& gone) {
                     forget_chat(gone);
                     forgot_chat = true;
                   },
                   [&](const worksheet_put& put) { put_worksheet(put); },
                   [&](const worksheet_commit_put& put) { put_worksheet_commit(put); },
                   [&](const worksheet_share_put& put) { share_worksheet(put); },
                   [&](const worksheet_template_put& put) { put_worksheet_template(put); },
                   [&](const worksheet_template_retire& r) { retire_worksheet_template(r); }},
        w);
  }
  tx.commit();
  if (forgot_chat) {
    // A deleted message must not outlive its deletion in the WAL's older
    // pages. Deletions are rare (a facilitator's act), so the cost is too.
    truncate_wal();
  }
}

std::optional<audit_anchor> sqlite_store::read_anchor() {
  sqlite::statement q(db_, "SELECT seq, hash FROM audit_anchor WHERE id = 1");
  if (!q.step()) {
    return std::nullopt;
  }
  return audit_anchor{q.integer(0), q.text(1)};
}

void sqlite_store::append_audit(const audit_entry& entry) {
  std::int64_t seq = 1;
  std::string prev = genesis_hash;
  sqlite::statement last(db_, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
  if (last.step()) {
    seq = last.integer(0) + 1;
    prev = last.text(1);
  } else if (const auto anchor = read_anchor()) {
    // Every record was purged: the chain goes on from the last one.
    seq = anchor->seq + 1;
    prev = anchor->hash;
  }
  sqlite::statement insert(db_,
                           "INSERT INTO audit (seq, at_ms, actor, actor_role, action, target, "
                           "session, outcome, detail, prev_hash, hash) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, seq)
      .bind(2, entry.at)
      .bind(3, entry.actor)
      .bind(4, entry.actor_role)
      .bind(5, entry.action)
      .bind(6, entry.target)
      .bind(7, entry.session)
      .bind(8, entry.outcome)
      .bind(9, entry.detail)
      .bind(10, prev)
      .bind(11, audit_hash(seq, entry, prev))
      .run();
}

void sqlite_store::open_segment(const attendance_open& open) {
  // At most one open segment per person and session: a stray one (which the
  // core never produces) is closed where the new one starts, never before it
  // began itself.
  sqlite::statement stray(db_,
                          "UPDATE attendance SET left_at_ms = MAX(joined_at_ms, ?), "
                          "closed_by = 'superseded' "
                          "WHERE session = ? AND subject = ? AND left_at_ms IS NULL");
  stray.bind(1, open.at).bind(2, open.session).bind(3, open.subject).run();
  sqlite::statement insert(db_,
                           "INSERT INTO attendance (session, subject, role, joined_at_ms) "
                           "VALUES (?, ?, ?, ?)");
  insert.bind(1, open.session).bind(2, open.subject).bind(3, open.role).bind(4, open.at).run();
}

void sqlite_store::close_segment(const attendance_close& close) {
  sqlite::statement update(db_,
                           "UPDATE attendance SET left_at_ms = MAX(joined_at_ms, ?), "
                           "closed_by = 'left' "
                           "WHERE session = ? AND subject = ? AND left_at_ms IS NULL");
  update.bind(1, close.at).bind(2, close.session).bind(3, close.subject).run();
}

void sqlite_store::mark_alive(const alive_mark& mark) {
  sqlite::statement update(db_, "UPDATE runs SET alive_at_ms = MAX(alive_at_ms, ?) WHERE id = ?");
  update.bind(1, mark.at).bind(2, mark.run).run();
}

std::int64_t sqlite_store::begin_run(time_ms now) {
  std::lock_guard lock(mutex_);
  sqlite::transaction tx(db_);
  // Segments still open belong to runs that stopped without closing them:
  // they end at the last moment the server vouched for.
  sqlite::statement last_alive(db_, "SELECT MAX(alive_at_ms) FROM runs");
  std::optional<time_ms> alive;
  if (last_alive.step() && !last_alive.is_null(0)) {
    alive = last_alive.integer(0);
  }
  sqlite::statement close(db_,
                          "UPDATE attendance SET left_at_ms = MAX(joined_at_ms, ?), "
                          "closed_by = 'restart' WHERE left_at_ms IS NULL");
  close.bind(1, alive.value_or(0)).run();
  sqlite::statement insert(db_, "INSERT INTO runs (started_at_ms, alive_at_ms) VALUES (?, ?)");
  insert.bind(1, now).bind(2, now).run();
  const auto run = sqlite3_last_insert_rowid(db_.handle());
  tx.commit();
  return run;
}

std::vector<audit_record> sqlite_store::audit(const audit_query& query) {
  std::lock_guard lock(mutex_);
  sqlite::statement q(db_,
                      "SELECT seq, at_ms, actor, actor_role, action, target, session, outcome, "
                      "detail, prev_hash, hash FROM audit WHERE seq > ? "
                      "AND (?2 IS NULL OR session = ?2) AND (?3 IS NULL OR actor = ?3) "
                      "AND (?4 IS NULL OR at_ms >= ?4) AND (?5 IS NULL OR at_ms < ?5) "
                      "ORDER BY seq LIMIT ?6");
  q.bind(1, query.after_seq);
  query.session ? q.bind(2, *query.session) : q.bind_null(2);
  query.actor ? q.bind(3, *query.actor) : q.bind_null(3);
  query.since ? q.bind(4, *query.since) : q.bind_null(4);
  query.until ? q.bind(5, *query.until) : q.bind_null(5);
  q.bind(6, static_cast<std::int64_t>(query.limit));
  std::vector<audit_record> out;
  while (q.step()) {
    audit_record r;
    r.seq = q.integer(0);
    r.entry = {q.integer(1), q.text(2), q.text(3), q.text(4),
               q.text(5),    q.text(6), q.text(7), q.text(8)};
    r.prev_hash = q.text(9);
    r.hash = q.text(10);
    out.push_back(std::move(r));
  }
  return out;
}

audit_verification sqlite_store::verify_audit() {
  const auto anchor_now = [this] {
    std::lock_guard lock(mutex_);
    return read_anchor();
  };
  auto anchor = anchor_now();
  auto result = verify_chain([this](const audit_query& page) { return audit(page); }, anchor);
  if (!result.ok() && anchor_now() != anchor) {
    // A purge ran during the walk: walk again from its anchor.
    anchor = anchor_now();
    result = verify_chain([this](const audit_query& page) { return audit(page); }, anchor);
  }
  return result;
}

std::vector<attendance_segment> sqlite_store::attendance(const std::string& session) {
  std::lock_guard lock(mutex_);
  sqlite::statement q(db_,
                      "SELECT session, subject, role, joined_at_ms, left_at_ms, closed_by "
                      "FROM attendance WHERE session = ? ORDER BY joined_at_ms, id");
  q.bind(1, session);
  return read_segments(q);
}

std::vector<attendance_segment> sqlite_store::attendance_of(const std::string& subject,
                                                            time_ms from, time_ms to) {
  std::lock_guard lock(mutex_);
  sqlite::statement q(db_,
                      "SELECT session, subject, role, joined_at_ms, left_at_ms, closed_by "
                      "FROM attendance WHERE subject = ? AND joined_at_ms < ? "
                      "AND (left_at_ms IS NULL OR left_at_ms > ?) ORDER BY joined_at_ms, id");
  q.bind(1, subject).bind(2, to).bind(3, from);
  return read_segments(q);
}

std::vector<attendance_segment> sqlite_store::read_segments(sqlite::statement& q) {
  std::vector<attendance_segment> out;
  while (q.step()) {
    attendance_segment s;
    s.session = q.text(0);
    s.subject = q.text(1);
    s.role = q.text(2);
    s.joined_at = q.integer(3);
    if (!q.is_null(4)) {
      s.left_at = q.integer(4);
    }
    s.closed_by = q.text(5);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace hearth::store
