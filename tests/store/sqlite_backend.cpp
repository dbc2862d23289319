// The SQLite backend of the contract suite, and the suite's shared helpers.
#include <gtest/gtest.h>
#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <iostream>
#include <random>
#include <stdexcept>

#include "sqlite_raw.hpp"
#include "store/sqlite_store.hpp"
#include "store_fixture.hpp"

namespace hearth::store::testing {

raw_sqlite::raw_sqlite(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("open " + path + ": " + why);
  }
  sqlite3_busy_timeout(db_, 5000);
}

raw_sqlite::~raw_sqlite() { sqlite3_close(db_); }

void raw_sqlite::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string why = error != nullptr ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error(sql + ": " + why);
  }
}

std::string raw_sqlite::text(const std::string& sql) { return query_text(db_, sql); }

std::int64_t raw_sqlite::integer(const std::string& sql) { return std::stoll(text(sql)); }

std::string query_text(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(db));
  }
  std::string out;
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const auto* bytes = sqlite3_column_text(stmt, 0);
    if (bytes != nullptr) {
      out.assign(reinterpret_cast<const char*>(bytes),
                 static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
    }
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    throw std::runtime_error(sql + ": " + sqlite3_errstr(rc));
  }
  return out;
}

backend sqlite_backend() {
  backend b;
  b.name = "sqlite";
  b.open = [](const std::string& dir) -> std::unique_ptr<store> {
    return std::make_unique<sqlite_store>(sqlite_path(dir));
  };
  b.tamper = [](const std::string& dir, const std::string& sql) {
    raw_sqlite(sqlite_path(dir)).exec(sql);
  };
  b.schema_version = [](const std::string& dir) {
    return static_cast<int>(
        raw_sqlite(sqlite_path(dir))
            .integer("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  };
  b.fail_audit_by = [](const std::string& dir, const std::string& actor) {
    // A trigger body takes no parameters: %Q quotes the actor as a literal.
    char* quoted = sqlite3_mprintf("%Q", actor.c_str());
    const std::string literal = quoted;
    sqlite3_free(quoted);
    raw_sqlite raw(sqlite_path(dir));
    raw.exec("CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit WHEN NEW.actor = " + literal +
             " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  };
  b.fail_delete = [](const std::string& dir, const std::string& table) {
    raw_sqlite(sqlite_path(dir))
        .exec("CREATE TRIGGER test_fail_delete_" + table + " BEFORE DELETE ON " + table +
              " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  };
  return b;
}

temp_dir::temp_dir() {
  std::string pattern = ::testing::TempDir() + "hearth-store-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern);
  }
  path_ = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::uint64_t test_seed() {
  std::uint64_t seed = 0;
  if (const char* env = std::getenv("HEARTH_STORE_SEED"); env != nullptr && *env != '\0') {
    seed = std::stoull(env);
  } else {
    seed = (std::uint64_t{std::random_device{}()} << 32U) | std::random_device{}();
  }
  std::cout << "[   SEED   ] HEARTH_STORE_SEED=" << seed << '\n';
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  return seed;
}

}  // namespace hearth::store::testing
