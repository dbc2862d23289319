// SQLite connection, statements and transactions.
#include "store/sqlite_db.hpp"

namespace hearth::store::sqlite {

void fail(sqlite3* db, int code, std::string_view doing) {
  const int primary = code & 0xFF;
  auto kind = store_error::kind::io;
  if (primary == SQLITE_FULL) {
    kind = store_error::kind::full;
  } else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    kind = store_error::kind::busy;
  } else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    kind = store_error::kind::corrupt;
  }
  std::string what(doing);
  what += ": ";
  what += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw store_error(kind, what);
}

statement::statement(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    fail(db, rc, "prepare");
  }
}

statement::statement(connection& db, std::string_view sql) : db_(db.handle()) {
  auto& kept = db.kept(sql);
  if (kept.in_use) {
    const int rc =
        sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) {
      fail(db_, rc, "prepare");
    }
    return;
  }
  kept.in_use = true;
  kept_in_use_ = &kept.in_use;
  stmt_ = kept.stmt;
}

statement::~statement() {
  if (kept_in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  // Reset ends the statement's read of the database, as finalizing did.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *kept_in_use_ = false;
}

statement& statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) {
    fail(db_, rc, "bind");
  }
  return *this;
}

statement& statement::bind(int index, const std::string& value) {
  const int rc = sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                                   SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) {
    fail(db_, rc, "bind");
  }
  return *this;
}

statement& statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) {
    fail(db_, rc, "bind");
  }
  return *this;
}

bool statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc != SQLITE_DONE) {
    fail(db_, rc, "step");
  }
  return false;
}

void statement::run() {
  while (step()) {
  }
}

void statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string statement::text(int column) const {
  const auto* bytes = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return bytes == nullptr
             ? std::string()
             : std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(n));
}

bool statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

connection::connection(const std::string& path) {
  const int rc =
      // The store serializes every use of its connection (one lock), so
      // SQLite's own lock per call would only be taken and released again.
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string what = "open " + path;
    sqlite3_close(db_);  // a handle is returned even on failure
    db_ = nullptr;
    fail(nullptr, rc, what);
  }
  sqlite3_extended_result_codes(db_, 1);
}

connection::~connection() {
  for (auto& [sql, kept] : kept_) {
    sqlite3_finalize(kept.stmt);
  }
  sqlite3_close(db_);
}

connection::kept_statement& connection::kept(std::string_view sql) {
  if (const auto found = kept_.find(sql); found != kept_.end()) {
    return found->second;
  }
  kept_statement entry;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &entry.stmt, nullptr);
  if (rc != SQLITE_OK) {
    fail(db_, rc, "prepare");
  }
  return kept_.emplace(std::string(sql), entry).first->second;
}

void connection::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    fail(db_, rc, "exec");
  }
}

transaction::transaction(connection& db) : db_(db) { statement(db_, "BEGIN IMMEDIATE").run(); }

transaction::~transaction() {
  if (!done_) {
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void transaction::commit() {
  statement(db_, "COMMIT").run();
  done_ = true;
}

}  // namespace hearth::store::sqlite
