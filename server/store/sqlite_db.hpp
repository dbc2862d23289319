// A thin RAII layer over the SQLite C API: one connection, prepared statements
// with bound parameters, and SQLite result codes turned into store_error.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace hearth::store::sqlite {

[[noreturn]] void fail(sqlite3* db, int code, std::string_view doing);

class statement {
 public:
  statement(sqlite3* db, std::string_view sql);
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
};

class connection {
 public:
  explicit connection(const std::string& path);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void exec(std::string_view sql);
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
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
