// A second, independent connection to a SQLite file, through the C API only,
// for looking at and tampering with what the store wrote.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace hearth::store::testing {

class raw_sqlite {
 public:
  explicit raw_sqlite(const std::string& path);
  ~raw_sqlite();
  raw_sqlite(const raw_sqlite&) = delete;
  raw_sqlite& operator=(const raw_sqlite&) = delete;

  // Runs statements without results; throws std::runtime_error on error.
  void exec(const std::string& sql);
  // The first column of the first row, as text / as an integer.
  std::string text(const std::string& sql);
  std::int64_t integer(const std::string& sql);
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// Runs one query on any connection and returns the first column of the first
// row as text ("" when there is no row); throws std::runtime_error on error.
std::string query_text(sqlite3* db, const std::string& sql);

}  // namespace hearth::store::testing
