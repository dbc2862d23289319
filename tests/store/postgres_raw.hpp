// The PostgreSQL side of the store tests: which server to use
// (HEARTH_TEST_POSTGRES), one schema per test directory, and a second,
// independent connection for looking at and tampering with what the store wrote.
#pragma once

#include <libpq-fe.h>

#include <string>

namespace hearth::store::testing {

// Why PostgreSQL tests cannot run ("" when HEARTH_TEST_POSTGRES is set).
std::string postgres_unavailable();
// HEARTH_REQUIRE_POSTGRES=1: a missing server fails the tests instead of
// skipping them.
bool postgres_required();

// The conninfo of the schema kept for `dir` (created on first use, its name
// written in the directory), with `options` (e.g. "-c lock_timeout=100") and
// other key=value pairs (`extra`) added.
std::string postgres_conninfo(const std::string& dir, const std::string& options = "",
                              const std::string& extra = "");
// The schema's name ("" when none was made for `dir`).
std::string postgres_schema(const std::string& dir);
// Drops the schema made for `dir`, with everything in it.
void drop_postgres_schema(const std::string& dir);

class raw_postgres {
 public:
  explicit raw_postgres(const std::string& conninfo);
  ~raw_postgres();
  raw_postgres(const raw_postgres&) = delete;
  raw_postgres& operator=(const raw_postgres&) = delete;

  // Runs statements (several, separated by ';'); throws std::runtime_error.
  void exec(const std::string& sql);
  // The first column of the first row as text ("" when there is no row).
  std::string text(const std::string& sql);
  std::int64_t integer(const std::string& sql);
  PGconn* handle() const { return conn_; }

 private:
  PGconn* conn_ = nullptr;
};

}  // namespace hearth::store::testing
