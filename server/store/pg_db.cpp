// libpq connection, parameters, results and transactions.
#include "store/pg_db.hpp"

#include <array>

namespace hearth::store::pg {
namespace {

// Type OIDs (server/catalog/pg_type_d.h is not part of libpq-dev).
constexpr Oid bool_oid = 16;
constexpr Oid int2_oid = 21;
constexpr Oid int4_oid = 23;
constexpr Oid int8_oid = 20;
constexpr Oid bytea_oid = 17;
constexpr Oid text_oid = 25;

// libpq's messages span lines ("...failed: Connection refused\n\tIs the
// server running..."): one line, for logs.
std::string one_line(const char* text) {
  std::string out;
  for (const char* p = text != nullptr ? text : ""; *p != '\0'; ++p) {
    const bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (!space) {
      out.push_back(*p);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

void ignore_notice(void* /*arg*/, const char* /*message*/) {}

}  // namespace

store_error::kind kind_of(std::string_view sqlstate) {
  if (sqlstate == "53100") {  // disk_full
    return store_error::kind::full;
  }
  if (sqlstate == "40001" || sqlstate == "40P01" ||  // serialization failure, deadlock
      sqlstate == "55P03" || sqlstate == "57014") {  // lock_timeout, statement_timeout
    return store_error::kind::busy;
  }
  if (sqlstate == "XX001" || sqlstate == "XX002") {  // data_corrupted, index_corrupted
    return store_error::kind::corrupt;
  }
  return store_error::kind::io;  // 08xxx connection, 57Pxx shutdown, and the rest
}

std::string durability_problem(std::string_view fsync, std::string_view synchronous_commit) {
  if (fsync != "on") {
    return "the PostgreSQL server runs with fsync = " + std::string(fsync) +
           ": a crash could lose committed records; set fsync = on";
  }
  if (synchronous_commit != "on" && synchronous_commit != "local" &&
      synchronous_commit != "remote_write" && synchronous_commit != "remote_apply") {
    return "the connection has synchronous_commit = " + std::string(synchronous_commit) +
           ": commits would be acknowledged before they are on disk; set it to on (in "
           "postgresql.conf, for the role or database, and not in the conninfo's options)";
  }
  return {};
}

void params::add(Oid type, std::optional<std::string> value) {
  types_.push_back(type);
  lengths_.push_back(value ? static_cast<int>(value->size()) : 0);
  formats_.push_back(1);
  values_.push_back(std::move(value));
}

params& params::integer(std::int64_t value) {
  std::string big_endian(8, '\0');
  auto bits = static_cast<std::uint64_t>(value);
  for (int i = 7; i >= 0; --i) {
    big_endian[static_cast<std::size_t>(i)] = static_cast<char>(bits & 0xFFU);
    bits >>= 8U;
  }
  add(int8_oid, std::move(big_endian));
  return *this;
}

params& params::integer_or_null(std::optional<std::int64_t> value) {
  if (value) {
    return integer(*value);
  }
  add(int8_oid, std::nullopt);
  return *this;
}

params& params::boolean(bool value) {
  add(bool_oid, std::string(1, value ? '\1' : '\0'));
  return *this;
}

params& params::bytes(std::string_view value) {
  add(bytea_oid, std::string(value));
  return *this;
}

params& params::bytes_or_null(const std::optional<std::string>& value) {
  add(bytea_oid, value);
  return *this;
}

params& params::text(std::string_view value) {
  add(text_oid, std::string(value));
  return *this;
}

std::vector<const char*> params::values() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) {
    out.push_back(v ? v->data() : nullptr);
  }
  return out;
}

std::int64_t result::integer(int row, int column) const {
  const Oid type = PQftype(res_, column);
  const int length = PQgetlength(res_, row, column);
  const int expected = type == int8_oid ? 8 : type == int4_oid ? 4 : type == int2_oid ? 2 : -1;
  if (length != expected) {
    throw store_error(store_error::kind::io, "unexpected column type in a PostgreSQL result");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(res_, row, column));
  std::uint64_t bits = (p[0] & 0x80U) != 0 ? ~std::uint64_t{0} : 0;  // sign-extend
  for (int i = 0; i < length; ++i) {
    bits = (bits << 8U) | p[i];
  }
  return static_cast<std::int64_t>(bits);
}

bool result::boolean(int row, int column) const {
  if (PQftype(res_, column) != bool_oid || PQgetlength(res_, row, column) != 1) {
    throw store_error(store_error::kind::io, "unexpected column type in a PostgreSQL result");
  }
  return *PQgetvalue(res_, row, column) != '\0';
}

std::string result::bytes(int row, int column) const {
  const Oid type = PQftype(res_, column);
  if (type != bytea_oid && type != text_oid) {
    throw store_error(store_error::kind::io, "unexpected column type in a PostgreSQL result");
  }
  return {PQgetvalue(res_, row, column), static_cast<std::size_t>(PQgetlength(res_, row, column))};
}

connection::connection(const std::string& conninfo) {
  // Entries before dbname are defaults the conninfo (expanded in its place)
  // may override.
  const std::array<const char*, 4> keywords = {"connect_timeout", "fallback_application_name",
                                               "dbname", nullptr};
  const std::array<const char*, 4> values = {"10", "hearthd", conninfo.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords.data(), values.data(), 1);
  if (conn_ == nullptr) {
    throw store_error(store_error::kind::io, "connect to PostgreSQL: out of memory");
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    // libpq's message names the host and port, never the password.
    std::string what = "connect to PostgreSQL: " + one_line(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw store_error(store_error::kind::io, what);
  }
  // Notices (e.g. a ROLLBACK with nothing to roll back) would go to stderr.
  PQsetNoticeProcessor(conn_, &ignore_notice, nullptr);
}

connection::~connection() { PQfinish(conn_); }

void connection::fail(std::string_view doing, const PGresult* res) const {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  // The primary message only: a DETAIL can quote the row's values.
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string what(doing);
  what += ": ";
  what += primary != nullptr ? one_line(primary) : one_line(PQerrorMessage(conn_));
  if (!sqlstate.empty()) {
    what += " (SQLSTATE " + sqlstate + ")";
  }
  throw store_error(PQstatus(conn_) == CONNECTION_OK ? kind_of(sqlstate) : store_error::kind::io,
                    what);
}

result connection::exec(std::string_view doing, const std::string& sql, const params& p) {
  const auto values = p.values();
  result r(PQexecParams(conn_, sql.c_str(), p.size(), p.types(), values.data(), p.lengths(),
                        p.formats(), 1));
  const auto status = PQresultStatus(r.res_);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    fail(doing, r.res_);
  }
  return r;
}

void connection::exec_script(std::string_view doing, const std::string& sql) {
  const result r(PQexec(conn_, sql.c_str()));
  const auto status = PQresultStatus(r.res_);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    fail(doing, r.res_);
  }
}

bool connection::reconnect_if_lost() {
  if (PQstatus(conn_) == CONNECTION_OK) {
    return false;
  }
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    throw store_error(store_error::kind::io,
                      "reconnect to PostgreSQL: " + one_line(PQerrorMessage(conn_)));
  }
  return true;
}

bool connection::in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

transaction::transaction(connection& db) : db_(db) { db_.exec("begin", "BEGIN"); }

transaction::~transaction() {
  if (!done_ && PQstatus(db_.handle()) == CONNECTION_OK && db_.in_transaction()) {
    PQclear(PQexec(db_.handle(), "ROLLBACK"));
  }
}

void transaction::commit() {
  // COMMIT of a transaction that failed answers ROLLBACK without an error.
  if (PQtransactionStatus(db_.handle()) != PQTRANS_INTRANS) {
    throw store_error(store_error::kind::io, "commit: the transaction was aborted");
  }
  done_ = true;  // whatever COMMIT answers, there is nothing left to roll back
  db_.exec("commit", "COMMIT");
}

}  // namespace hearth::store::pg
