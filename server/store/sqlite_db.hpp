// A thin RAII layer over the SQLite C API: one connection, prepared statements
// with bound parameters, and SQLite result codes turned into store_error. The
// connection keeps the statements its writes and reads use again and again:
// preparing one (parsing and planning its SQL) cost more than running it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace hearth::store::sqlite {

[[noreturn]] void fail(sqlite3* db, int code, std::string_view doing);

class connection;

class statement {
 public:
  // Prepared for this use only.
  statement(sqlite3* db, std::string_view sql);
  // The connection's kept statement for `sql` (prepared on its first use),
  // reset for the next use when this one goes. For SQL from a fixed set of
  // texts: the connection keeps one statement per text. A statement already
  // in use (nested) is prepared afresh instead.
  statement(connection& db, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  // Parameters are numbered from 1, as in SQLite.
  statement& bind(int index, std::int64_t value);
  statement& bind(int index, const std::string& value);
  statement& bind_null(int index);

  // Steps once: true while a row is available.
  bool step();
  // Steps to the end, for statements without rows.
  void run();
  void reset();

  std::int64_t integer(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool* kept_in_use_ = nullptr;  // set while this uses a kept statement
};

class connection {
 public:
  explicit connection(const std::string& path);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void exec(std::string_view sql);
  sqlite3* handle() const { return db_; }

  struct kept_statement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  // The kept statement for `sql`, prepared on first use.
  kept_statement& kept(std::string_view sql);

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, kept_statement, std::less<>> kept_;
};

// BEGIN IMMEDIATE on construction, ROLLBACK unless commit() was called.
class transaction {
 public:
  explicit transaction(connection& db);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit();

 private:
  connection& db_;
  bool done_ = false;
};

}  // namespace hearth::store::sqlite
