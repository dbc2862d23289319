// A thin RAII layer over libpq: one connection, statements with parameters
// sent separately from the SQL (never spliced into it), results read in binary,
// and SQLSTATEs turned into store_error.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace hearth::store::pg {

// The store_error kind a SQLSTATE stands for ("" or unknown: io).
store_error::kind kind_of(std::string_view sqlstate);

// Why a server with these settings (SHOW fsync, SHOW synchronous_commit) would
// acknowledge a commit before it is on disk; "" when it would not.
std::string durability_problem(std::string_view fsync, std::string_view synchronous_commit);

// Parameters $1, $2, ... in order, sent in binary with their types.
class params {
 public:
  params& integer(std::int64_t value);  // bigint
  params& integer_or_null(std::optional<std::int64_t> value);
  params& boolean(bool value);            // boolean
  params& bytes(std::string_view value);  // bytea: any bytes, NUL included
  params& bytes_or_null(const std::optional<std::string>& value);
  params& text(std::string_view value);  // text: valid in the server encoding

  int size() const { return static_cast<int>(types_.size()); }
  const Oid* types() const { return types_.data(); }
  std::vector<const char*> values() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  void add(Oid type, std::optional<std::string> value);

  std::vector<Oid> types_;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// A result in binary format.
class result {
 public:
  explicit result(PGresult* res) : res_(res) {}
  ~result() { PQclear(res_); }
  result(result&& other) noexcept : res_(other.res_) { other.res_ = nullptr; }
  result& operator=(result&&) = delete;
  result(const result&) = delete;
  result& operator=(const result&) = delete;

  int rows() const { return PQntuples(res_); }
  bool is_null(int row, int column) const { return PQgetisnull(res_, row, column) != 0; }
  // A smallint, integer or bigint column.
  std::int64_t integer(int row, int column) const;
  // A boolean column.
  bool boolean(int row, int column) const;
  // A text or bytea column, as its bytes.
  std::string bytes(int row, int column) const;

 private:
  friend class connection;
  PGresult* res_;
};

class connection {
 public:
  // `conninfo`: key=value pairs, a postgresql:// URI or a plain database name.
  explicit connection(const std::string& conninfo);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // One statement with parameters; rows (if any) in binary. Throws store_error.
  result exec(std::string_view doing, const std::string& sql, const params& p = {});
  // Statements without parameters (schema changes). Throws store_error.
  void exec_script(std::string_view doing, const std::string& sql);
  // After the connection was lost: connects again and returns true (throws
  // when it cannot); false when the connection was fine.
  bool reconnect_if_lost();
  bool in_transaction() const;
  PGconn* handle() const { return conn_; }

 private:
  [[noreturn]] void fail(std::string_view doing, const PGresult* res) const;

  PGconn* conn_ = nullptr;
};

// BEGIN on construction, ROLLBACK unless commit() was called.
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

}  // namespace hearth::store::pg
