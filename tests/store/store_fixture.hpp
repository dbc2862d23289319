// The store contract suite's fixture: every behavioral test runs against each
// backend listed here (SQLite and PostgreSQL), in a fresh temporary directory
// that is removed afterwards. A backend that needs a server (PostgreSQL: the
// conninfo in HEARTH_TEST_POSTGRES) is skipped without one, unless required.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace hearth::store {

// How failures print sessions, rosters, bans and consents: fields in quotes,
// bytes outside printable ASCII as \xNN (names may hold NULs and any other
// byte).
inline void print_bytes(const std::string& bytes, std::ostream* os) {
  static constexpr char digits[] = "0123456789abcdef";
  *os << '"';
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20U && u < 0x7FU && c != '"' && c != '\\') {
      *os << c;
    } else {
      *os << "\\x" << digits[u >> 4U] << digits[u & 0x0FU];
    }
  }
  *os << '"';
}

inline void PrintTo(const roster_entry& e, std::ostream* os) {
  *os << "{";
  for (const auto* field :
       {&e.subject, &e.display_name, &e.role, &e.relationship, &e.accompanies, &e.program}) {
    print_bytes(*field, os);
    *os << (field == &e.program ? "}" : ", ");
  }
}

inline void PrintTo(const ban_record& b, std::ostream* os) {
  *os << "{";
  for (const auto* field : {&b.subject, &b.display_name, &b.role, &b.banned_by}) {
    print_bytes(*field, os);
    *os << ", ";
  }
  *os << "at " << b.at << "}";
}

inline void PrintTo(const consent_record& c, std::ostream* os) {
  auto print_time = [&](const std::optional<time_ms>& t) {
    if (t) {
      *os << *t;
    } else {
      *os << "none";
    }
  };
  *os << "{";
  for (const auto* field : {&c.subject, &c.method, &c.recorded_by}) {
    print_bytes(*field, os);
    *os << ", ";
  }
  *os << "granted " << c.granted_at << ", expires ";
  print_time(c.expires_at);
  *os << ", revoked ";
  print_time(c.revoked_at);
  *os << " by ";
  print_bytes(c.revoked_by, os);
  *os << "}";
}

inline void PrintTo(const session_record& r, std::ostream* os) {
  *os << "{id ";
  print_bytes(r.id, os);
  *os << ", title ";
  print_bytes(r.title, os);
  *os << ", kind ";
  print_bytes(r.kind, os);
  *os << ", " << r.scheduled_start << ".." << r.scheduled_end << ", lobby ";
  print_bytes(r.lobby_policy, os);
  *os << (r.admit_before_facilitator ? " (before facilitator)" : "") << ", chat ";
  print_bytes(r.chat_policy, os);
  *os << (r.keep_chat ? " (kept)" : "") << ", status ";
  print_bytes(r.status, os);
  *os << ", v" << r.version << ", created " << r.created_at << ", updated " << r.updated_at
      << ", roster [";
  for (const auto& e : r.roster) {
    PrintTo(e, os);
    *os << (&e == &r.roster.back() ? "" : ", ");
  }
  *os << "]}";
}

inline void PrintTo(const purge_report& r, std::ostream* os) {
  *os << "{sessions " << r.sessions << ", roster_entries " << r.roster_entries << ", bans "
      << r.bans << ", consents " << r.consents << ", chat_messages " << r.chat_messages
      << ", worksheets " << r.worksheets << ", attendance " << r.attendance << ", audit " << r.audit
      << "}";
}

}  // namespace hearth::store

namespace hearth::store::testing {

// The schema version every store migrates to (migrations.hpp).
constexpr int latest_schema = 8;

// One implementation of `store`, with what the contract tests need to reach
// behind its interface.
struct backend {
  std::string name;
  // Why the backend cannot run here ("" when it can, or when not set): its
  // tests are then skipped, or fail when `required` says it must run.
  std::function<std::string()> unavailable;
  bool required = false;
  // Opens (creating or reopening) the store kept in `dir`.
  std::function<std::unique_ptr<store>(const std::string& dir)> open;
  // Runs plain SQL on a second connection, as someone with write access to the
  // storage would; used to tamper with the audit table (columns seq, at_ms,
  // actor, ..., detail, prev_hash, hash). The SQL must mean the same on every
  // backend: string literals, ||, substr() and length() work on SQLite's TEXT
  // and PostgreSQL's BYTEA alike.
  std::function<void(const std::string& dir, const std::string& sql)> tamper;
  // Installs a fault: from now on, storing an audit record whose actor is
  // `actor` fails inside the transaction.
  std::function<void(const std::string& dir, const std::string& actor)> fail_audit_by;
  // Installs a fault: from now on, deleting any row of `table` fails inside
  // the transaction.
  std::function<void(const std::string& dir, const std::string& table)> fail_delete;
  // The schema version the storage kept in `dir` records, read on a second
  // connection.
  std::function<int(const std::string& dir)> schema_version;
  // Removes what `open` made outside `dir` (a PostgreSQL schema); may be unset.
  std::function<void(const std::string& dir)> remove;
};

inline void PrintTo(const backend& b, std::ostream* os) { *os << b.name; }

backend sqlite_backend();
backend postgres_backend();

// A fresh directory under ::testing::TempDir(), removed with its contents.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The seed of a test's randomness: HEARTH_STORE_SEED when set, otherwise fresh;
// printed so that a failure can be replayed.
std::uint64_t test_seed();

class store_test : public ::testing::TestWithParam<backend> {
 protected:
  // Derived fixtures call this first and return when IsSkipped() or
  // HasFatalFailure().
  void SetUp() override {
    if (GetParam().unavailable) {
      if (const auto why = GetParam().unavailable(); !why.empty()) {
        if (GetParam().required) {
          FAIL() << why;
        }
        GTEST_SKIP() << why;
      }
    }
    opened_ = true;
    db_ = GetParam().open(dir_.path());
  }
  void TearDown() override {
    db_.reset();
    if (opened_ && GetParam().remove) {
      GetParam().remove(dir_.path());
    }
  }

  store& db() { return *db_; }
  const std::string& dir() const { return dir_.path(); }
  // Closes the store and opens it again on the same storage.
  void reopen() {
    db_.reset();
    db_ = GetParam().open(dir_.path());
  }
  // Simulates a crash as far as the store can tell: the object goes away
  // without anything being closed first.
  void crash_and_reopen() { reopen(); }

  void tamper(const std::string& sql) { GetParam().tamper(dir_.path(), sql); }

  std::vector<audit_record> all_audit() {
    audit_query q;
    q.limit = std::numeric_limits<std::int32_t>::max();
    return db().audit(q);
  }

 private:
  temp_dir dir_;  // first: outlives the store
  bool opened_ = false;
  std::unique_ptr<store> db_;
};

// An audit entry with the fields tests usually vary; the rest is fixed.
inline audit_entry entry(time_ms at, std::string actor = "sub-1", std::string session = "room-1",
                         std::string detail = "") {
  audit_entry e;
  e.at = at;
  e.actor = std::move(actor);
  e.actor_role = "facilitator";
  e.action = "token_minted";
  e.target = "sub-2";
  e.session = std::move(session);
  e.outcome = "ok";
  e.detail = std::move(detail);
  return e;
}

// Commits `n` entries one batch, at times start, start+1, ..., details "0", "1", ...
inline void append_entries(store& s, int n, time_ms start = 1000) {
  std::vector<write> batch;
  for (int i = 0; i < n; ++i) {
    batch.emplace_back(entry(start + i, "sub-1", "room-1", std::to_string(i)));
  }
  s.commit(batch);
}

}  // namespace hearth::store::testing
