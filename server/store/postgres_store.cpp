// The PostgreSQL store: connecting, migrating, writes and queries.
#include "store/postgres_store.hpp"

#include <algorithm>
#include <limits>
#include <string_view>
#include <variant>

#include "store/audit_chain.hpp"
#include "store/migrations.hpp"

namespace hearth::store {
namespace {

// Transaction-level advisory locks, so that the role hearthd runs as needs no
// privilege beyond reading and writing rows (no LOCK TABLE, which would take
// UPDATE or DELETE on the audit table: docs/operations.md, "Storage").
// Migrations of one schema, keyed by "HEAR" and the schema's oid:
const std::string lock_migrations =
    "SELECT pg_advisory_xact_lock(1212498258, "
    "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())::integer)";
// Appends to one audit table, keyed by "HEAS" and the table's oid:
const std::string lock_audit_chain =
    "SELECT pg_advisory_xact_lock(1212498259, 'audit'::regclass::oid::integer)";

// How long a statement waits for a lock another process holds before failing
// as busy, unless the conninfo sets lock_timeout itself.
constexpr std::string_view default_lock_timeout = "5s";

template <typename... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace

postgres_store::postgres_store(const std::string& conninfo) : db_(conninfo) {
  std::lock_guard lock(mutex_);
  prepare_session();
  migrate();
}

void postgres_store::ready() {
  if (db_.reconnect_if_lost()) {
    prepared_ = false;
  }
  if (!prepared_) {
    prepare_session();
  }
}

void postgres_store::prepare_session() {
  constexpr int oldest_server = 100000;  // identity columns: PostgreSQL 10
  if (PQserverVersion(db_.handle()) < oldest_server) {
    throw store_error(store_error::kind::io, "PostgreSQL 10 or newer is required");
  }
  const auto settings =
      db_.exec("read the server's settings",
               "SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
               "current_setting('lock_timeout')");
  const auto problem = pg::durability_problem(settings.bytes(0, 0), settings.bytes(0, 1));
  if (!problem.empty()) {
    throw store_error(store_error::kind::io, "refusing to use PostgreSQL: " + problem);
  }
  if (settings.bytes(0, 2) == "0") {
    db_.exec("set lock_timeout", "SELECT set_config('lock_timeout', $1, false)",
             pg::params().text(default_lock_timeout));
  }
  prepared_ = true;
}

void postgres_store::migrate() {
  {
    pg::transaction tx(db_);
    db_.exec("lock the migrations", lock_migrations);
    // Looked up first: CREATE TABLE IF NOT EXISTS would need the right to
    // create in the schema even when the table is there.
    const auto exists = db_.exec("look for schema_migrations",
                                 "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() "
                                 "AND tablename = 'schema_migrations'");
    if (exists.rows() == 0) {
      db_.exec("create schema_migrations",
               "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, "
               "applied_at_ms BIGINT NOT NULL)");
      tx.commit();
    }
  }
  const auto migrations = postgres_migrations();
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const auto version = static_cast<std::int64_t>(i + 1);
    pg::transaction tx(db_);
    db_.exec("lock the migrations", lock_migrations);
    const auto seen =
        db_.exec("read schema_migrations", "SELECT 1 FROM schema_migrations WHERE version = $1",
                 pg::params().integer(version));
    if (seen.rows() > 0) {
      continue;  // the transaction rolls back: nothing was written
    }
    db_.exec_script("migrate to version " + std::to_string(version), std::string(migrations[i]));
    db_.exec("record the migration",
             "INSERT INTO schema_migrations VALUES ($1, "
             "(extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
             pg::params().integer(version));
    tx.commit();
  }
}

int postgres_store::schema_version() {
  std::lock_guard lock(mutex_);
  ready();
  const auto r = db_.exec("read the schema version",
                          "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return static_cast<int>(r.integer(0, 0));
}

void postgres_store::commit(const std::vector<write>& batch) {
  std::lock_guard lock(mutex_);
  ready();
  pg::transaction tx(db_);
  // The chain is locked first, before any other lock the batch takes, so two
  // committers always take their locks in the same order.
  chain_head head;
  if (std::any_of(batch.begin(), batch.end(),
                  [](const write& w) { return std::holds_alternative<audit_entry>(w); })) {
    head = lock_chain();
  }
  for (const auto& w : batch) {
    std::visit(
        overloaded{[&](const audit_entry& e) { append_audit(head, e); },
                   [&](const attendance_open& o) { open_segment(o); },
                   [&](const attendance_close& c) { close_segment(c); },
                   [&](const alive_mark& m) { mark_alive(m); },
                   [&](const session_put& p) { put_session(p.record); },
                   [&](const ban_put& put) { put_ban(put); },
                   [&](const ban_lift& lift) { lift_ban(lift); },
                   [&](const consent_put& put) { put_consent(put); },
                   [&](const consent_revoke& revoke) { revoke_consent(revoke); },
                   [&](const kept_chat_put& put) { keep_chat(put); },
                   [&](const kept_chat_delete& gone) { forget_chat(gone); },
                   [&](const worksheet_put& put) { put_worksheet(put); },
                   [&](const worksheet_commit_put& put) { put_worksheet_commit(put); },
                   [&](const worksheet_share_put& put) { share_worksheet(put); },
                   [&](const worksheet_template_put& put) { put_worksheet_template(put); },
                   [&](const worksheet_template_retire& r) { retire_worksheet_template(r); }},
        w);
  }
  tx.commit();
}

// Until the transaction ends, no other store (in this process or any other)
// can append; readers are not held up. Whoever writes to the table without
// the lock can at worst make an append fail: seq is the primary key.
postgres_store::chain_head postgres_store::lock_chain() {
  db_.exec("lock the audit trail", lock_audit_chain);
  const auto last =
      db_.exec("read the audit trail", "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
  if (last.rows() > 0) {
    return {last.integer(0, 0), last.bytes(0, 1)};
  }
  // Every record was purged: the chain goes on from the last one.
  if (auto anchor = read_anchor()) {
    return {anchor->seq, std::move(anchor->hash)};
  }
  return {0, genesis_hash};
}

std::optional<audit_anchor> postgres_store::read_anchor() {
  const auto row = db_.exec("read the audit anchor", "SELECT seq, hash FROM audit_anchor");
  if (row.rows() == 0) {
    return std::nullopt;
  }
  return audit_anchor{row.integer(0, 0), row.bytes(0, 1)};
}

void postgres_store::append_audit(chain_head& head, const audit_entry& entry) {
  const std::int64_t seq = head.seq + 1;
  auto hash = audit_hash(seq, entry, head.hash);
  db_.exec("append to the audit trail",
           "INSERT INTO audit (seq, at_ms, actor, actor_role, action, target, session, outcome, "
           "detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
           pg::params()
               .integer(seq)
               .integer(entry.at)
               .bytes(entry.actor)
               .bytes(entry.actor_role)
               .bytes(entry.action)
               .bytes(entry.target)
               .bytes(entry.session)
               .bytes(entry.outcome)
               .bytes(entry.detail)
               .text(head.hash)
               .text(hash));
  head = {seq, std::move(hash)};
}

void postgres_store::open_segment(const attendance_open& open) {
  // At most one open segment per person and session: a stray one (which the
  // core never produces) is closed where the new one starts, never before it
  // began itself.
  db_.exec("close a stray segment",
           "UPDATE attendance SET left_at_ms = GREATEST(joined_at_ms, $1), "
           "closed_by = 'superseded' "
           "WHERE session = $2 AND subject = $3 AND left_at_ms IS NULL",
           pg::params().integer(open.at).bytes(open.session).bytes(open.subject));
  db_.exec("open a segment",
           "INSERT INTO attendance (session, subject, role, joined_at_ms) VALUES ($1, $2, $3, $4)",
           pg::params().bytes(open.session).bytes(open.subject).bytes(open.role).integer(open.at));
}

void postgres_store::close_segment(const attendance_close& close) {
  db_.exec("close a segment",
           "UPDATE attendance SET left_at_ms = GREATEST(joined_at_ms, $1), closed_by = 'left' "
           "WHERE session = $2 AND subject = $3 AND left_at_ms IS NULL",
           pg::params().integer(close.at).bytes(close.session).bytes(close.subject));
}

void postgres_store::mark_alive(const alive_mark& mark) {
  db_.exec("mark the run alive",
           "UPDATE runs SET alive_at_ms = GREATEST(alive_at_ms, $1) WHERE id = $2",
           pg::params().integer(mark.at).integer(mark.run));
}

std::int64_t postgres_store::begin_run(time_ms now) {
  std::lock_guard lock(mutex_);
  ready();
  pg::transaction tx(db_);
  // Segments still open belong to runs that stopped without closing them:
  // they end at the last moment the server vouched for.
  const auto last_alive = db_.exec("read the runs", "SELECT MAX(alive_at_ms) FROM runs");
  const time_ms alive = last_alive.is_null(0, 0) ? 0 : last_alive.integer(0, 0);
  db_.exec("close the segments left open",
           "UPDATE attendance SET left_at_ms = GREATEST(joined_at_ms, $1), "
           "closed_by = 'restart' WHERE left_at_ms IS NULL",
           pg::params().integer(alive));
  const auto run = db_.exec("start a run",
                            "INSERT INTO runs (started_at_ms, alive_at_ms) VALUES ($1, $1) "
                            "RETURNING id",
                            pg::params().integer(now));
  const auto id = run.integer(0, 0);
  tx.commit();
  return id;
}

std::vector<audit_record> postgres_store::audit(const audit_query& query) {
  std::lock_guard lock(mutex_);
  ready();
  const auto limit = static_cast<std::int64_t>(
      std::min<std::size_t>(query.limit, std::numeric_limits<std::int64_t>::max()));
  const auto rows =
      db_.exec("read the audit trail",
               "SELECT seq, at_ms, actor, actor_role, action, target, session, outcome, detail, "
               "prev_hash, hash FROM audit WHERE seq > $1 "
               "AND ($2 IS NULL OR session = $2) AND ($3 IS NULL OR actor = $3) "
               "AND ($4 IS NULL OR at_ms >= $4) AND ($5 IS NULL OR at_ms < $5) "
               "ORDER BY seq LIMIT $6",
               pg::params()
                   .integer(query.after_seq)
                   .bytes_or_null(query.session)
                   .bytes_or_null(query.actor)
                   .integer_or_null(query.since)
                   .integer_or_null(query.until)
                   .integer(limit));
  std::vector<audit_record> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) {
    audit_record r;
    r.seq = rows.integer(i, 0);
    r.entry = {rows.integer(i, 1), rows.bytes(i, 2), rows.bytes(i, 3), rows.bytes(i, 4),
               rows.bytes(i, 5),   rows.bytes(i, 6), rows.bytes(i, 7), rows.bytes(i, 8)};
    r.prev_hash = rows.bytes(i, 9);
    r.hash = rows.bytes(i, 10);
    out.push_back(std::move(r));
  }
  return out;
}

audit_verification postgres_store::verify_audit() {
  const auto anchor_now = [this] {
    std::lock_guard lock(mutex_);
    ready();
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

std::vector<attendance_segment> postgres_store::attendance(const std::string& session) {
  std::lock_guard lock(mutex_);
  ready();
  return read_segments(
      db_.exec("read attendance",
               "SELECT session, subject, role, joined_at_ms, left_at_ms, closed_by "
               "FROM attendance WHERE session = $1 ORDER BY joined_at_ms, id",
               pg::params().bytes(session)));
}

std::vector<attendance_segment> postgres_store::attendance_of(const std::string& subject,
                                                              time_ms from, time_ms to) {
  std::lock_guard lock(mutex_);
  ready();
  return read_segments(
      db_.exec("read attendance",
               "SELECT session, subject, role, joined_at_ms, left_at_ms, closed_by "
               "FROM attendance WHERE subject = $1 AND joined_at_ms < $2 "
               "AND (left_at_ms IS NULL OR left_at_ms > $3) ORDER BY joined_at_ms, id",
               pg::params().bytes(subject).integer(to).integer(from)));
}

std::vector<attendance_segment> postgres_store::read_segments(const pg::result& rows) {
  std::vector<attendance_segment> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) {
    attendance_segment s;
    s.session = rows.bytes(i, 0);
    s.subject = rows.bytes(i, 1);
    s.role = rows.bytes(i, 2);
    s.joined_at = rows.integer(i, 3);
    if (!rows.is_null(i, 4)) {
      s.left_at = rows.integer(i, 4);
    }
    s.closed_by = rows.bytes(i, 5);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace hearth::store
