// The PostgreSQL backend of the contract suite: each test directory stands for
// a schema of its own in the database HEARTH_TEST_POSTGRES names, reached by
// putting the schema first on the search_path.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

#include "postgres_raw.hpp"
#include "store/postgres_store.hpp"
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

std::string base_conninfo() {
  const char* env = std::getenv("HEARTH_TEST_POSTGRES");
  return env != nullptr ? env : "";
}

bool is_uri(const std::string& conninfo) {
  return conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0;
}

std::string percent_encoded(const std::string& text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(digits[u >> 4U]);
      out.push_back(digits[u & 0x0FU]);
    }
  }
  return out;
}

// `base` with key=value added (URIs get it as a query parameter). Values are
// the tests' own: no quotes or backslashes to escape.
std::string with_setting(const std::string& base, const std::string& key,
                         const std::string& value) {
  if (is_uri(base)) {
    return base + (base.find('?') == std::string::npos ? "?" : "&") + key + "=" +
           percent_encoded(value);
  }
  return base + " " + key + "='" + value + "'";
}

std::string schema_file(const std::string& dir) { return dir + "/postgres-schema"; }

std::string hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(digits[u >> 4U]);
    out.push_back(digits[u & 0x0FU]);
  }
  return out;
}

}  // namespace

std::string postgres_unavailable() {
  if (!base_conninfo().empty()) {
    return {};
  }
  return postgres_required()
             ? "HEARTH_REQUIRE_POSTGRES=1 but HEARTH_TEST_POSTGRES is not set"
             : "PostgreSQL tests skipped: HEARTH_TEST_POSTGRES is not set (a libpq conninfo; "
               "scripts/with-postgres.sh CMD runs CMD with a throwaway server)";
}

bool postgres_required() {
  const char* env = std::getenv("HEARTH_REQUIRE_POSTGRES");
  return env != nullptr && std::string(env) == "1";
}

std::string postgres_schema(const std::string& dir) {
  std::ifstream in(schema_file(dir));
  std::string name;
  std::getline(in, name);
  return name;
}

std::string postgres_conninfo(const std::string& dir, const std::string& options,
                              const std::string& extra) {
  auto schema = postgres_schema(dir);
  if (schema.empty()) {
    std::random_device random;
    std::string bytes(8, '\0');
    for (auto& c : bytes) {
      c = static_cast<char>(random() & 0xFFU);
    }
    schema = "hearth_test_" + hex(bytes);
    raw_postgres(base_conninfo()).exec("CREATE SCHEMA " + schema);
    std::ofstream(schema_file(dir)) << schema << "\n";
  }
  auto conninfo =
      with_setting(base_conninfo(), "options", "-c search_path=" + schema + " " + options);
  if (!extra.empty()) {
    conninfo += is_uri(conninfo) ? "&" + extra : " " + extra;
  }
  return conninfo;
}

void drop_postgres_schema(const std::string& dir) {
  const auto schema = postgres_schema(dir);
  if (!schema.empty()) {
    raw_postgres(base_conninfo()).exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }
}

raw_postgres::raw_postgres(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("connect to PostgreSQL: " + why);
  }
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

raw_postgres::~raw_postgres() { PQfinish(conn_); }

void raw_postgres::exec(const std::string& sql) { text(sql); }

std::string raw_postgres::text(const std::string& sql) {
  PGresult* res = PQexec(conn_, sql.c_str());
  const auto status = PQresultStatus(res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const std::string why = PQresultErrorMessage(res);
    PQclear(res);
    throw std::runtime_error(sql + ": " + why);
  }
  std::string out;
  if (status == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQgetisnull(res, 0, 0) == 0) {
    out = PQgetvalue(res, 0, 0);
  }
  PQclear(res);
  return out;
}

std::int64_t raw_postgres::integer(const std::string& sql) { return std::stoll(text(sql)); }

backend postgres_backend() {
  backend b;
  b.name = "postgres";
  b.unavailable = postgres_unavailable;
  b.required = postgres_required();
  b.open = [](const std::string& dir) -> std::unique_ptr<store> {
    return std::make_unique<postgres_store>(postgres_conninfo(dir));
  };
  b.tamper = [](const std::string& dir, const std::string& sql) {
    raw_postgres(postgres_conninfo(dir)).exec(sql);
  };
  b.schema_version = [](const std::string& dir) {
    return static_cast<int>(
        raw_postgres(postgres_conninfo(dir))
            .integer("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  };
  b.fail_audit_by = [](const std::string& dir, const std::string& actor) {
    // A trigger body takes no parameters: the actor goes in as a hex bytea
    // literal, which needs no quoting.
    raw_postgres raw(postgres_conninfo(dir));
    raw.exec(
        "CREATE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'injected failure'; END $$;"
        "CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit FOR EACH ROW WHEN (NEW.actor = "
        "'\\x" +
        hex(actor) + "'::bytea) EXECUTE FUNCTION test_fail_audit()");
  };
  b.fail_delete = [](const std::string& dir, const std::string& table) {
    raw_postgres(postgres_conninfo(dir))
        .exec("CREATE FUNCTION test_fail_delete_" + table +
              "() RETURNS trigger LANGUAGE plpgsql AS $$ "
              "BEGIN RAISE EXCEPTION 'injected failure'; END $$;"
              "CREATE TRIGGER test_fail_delete_" +
              table + " BEFORE DELETE ON " + table +
              " FOR EACH ROW EXECUTE FUNCTION test_fail_delete_" + table + "()");
  };
  b.remove = drop_postgres_schema;
  return b;
}

}  // namespace hearth::store::testing
