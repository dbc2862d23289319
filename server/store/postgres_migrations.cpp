// The PostgreSQL store's schema, one migration per version.
#include <array>

#include "store/migrations.hpp"

namespace hearth::store {
namespace {

// Each migration runs once, in order, in its own transaction. Never edit one
// that has shipped: add the next. Tables and columns are named as in the
// SQLite store. The fields of records are BYTEA, not TEXT: they are stored and
// hashed as bytes, and TEXT could hold neither a NUL nor invalid UTF-8 (the
// store never rejects a record for its contents). Store-made values (hashes,
// closed_by) are TEXT. BYTEA also compares and sorts byte by byte, as SQLite's
// TEXT does, so lookups and the order of sessions (by start, then id) are the
// same on both stores; TEXT would sort by the database's collation. Flags are
// BOOLEAN (SQLite: INTEGER 0 or 1); times and counters BIGINT.
constexpr std::array<std::string_view, 8> migrations = {
    R"sql(
CREATE TABLE audit (
  seq BIGINT PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  actor BYTEA NOT NULL,
  actor_role BYTEA NOT NULL,
  action BYTEA NOT NULL,
  target BYTEA NOT NULL,
  session BYTEA NOT NULL,
  outcome BYTEA NOT NULL,
  detail BYTEA NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_by_session ON audit(session, seq);
CREATE INDEX audit_by_actor ON audit(actor, seq);
CREATE INDEX audit_by_time ON audit(at_ms);
CREATE TABLE runs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at_ms BIGINT NOT NULL,
  alive_at_ms BIGINT NOT NULL
);
CREATE TABLE attendance (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session BYTEA NOT NULL,
  subject BYTEA NOT NULL,
  role BYTEA NOT NULL,
  joined_at_ms BIGINT NOT NULL,
  left_at_ms BIGINT,
  closed_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attendance_by_session ON attendance(session, joined_at_ms);
CREATE INDEX attendance_by_subject ON attendance(subject, joined_at_ms);
CREATE UNIQUE INDEX attendance_one_open ON attendance(session, subject) WHERE left_at_ms IS NULL;
)sql",
    R"sql(
CREATE TABLE sessions (
  id BYTEA PRIMARY KEY,
  title BYTEA NOT NULL,
  kind BYTEA NOT NULL,
  scheduled_start_ms BIGINT NOT NULL,
  scheduled_end_ms BIGINT NOT NULL,
  lobby_policy BYTEA NOT NULL,
  admit_before_facilitator BOOLEAN NOT NULL,
  chat_policy BYTEA NOT NULL,
  keep_chat BOOLEAN NOT NULL,
  status BYTEA NOT NULL,
  version BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX sessions_by_start ON sessions(scheduled_start_ms);
CREATE TABLE session_roster (
  session_id BYTEA NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  subject BYTEA NOT NULL,
  display_name BYTEA NOT NULL,
  role BYTEA NOT NULL,
  relationship BYTEA NOT NULL,
  accompanies BYTEA NOT NULL,
  program BYTEA NOT NULL,
  PRIMARY KEY (session_id, subject)
);
CREATE INDEX session_roster_by_subject ON session_roster(subject);
)sql",
    R"sql(
CREATE TABLE bans (
  session BYTEA NOT NULL,
  subject BYTEA NOT NULL,
  display_name BYTEA NOT NULL,
  role BYTEA NOT NULL,
  banned_by BYTEA NOT NULL,
  banned_at_ms BIGINT NOT NULL,
  PRIMARY KEY (session, subject)
);
)sql",
    R"sql(
CREATE TABLE consents (
  session BYTEA NOT NULL,
  subject BYTEA NOT NULL,
  method BYTEA NOT NULL,
  recorded_by BYTEA NOT NULL,
  granted_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT,
  revoked_at_ms BIGINT,
  revoked_by BYTEA NOT NULL,
  PRIMARY KEY (session, subject)
);
)sql",
    R"sql(
CREATE TABLE audit_anchor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX sessions_by_end ON sessions(scheduled_end_ms);
)sql",
    R"sql(
CREATE TABLE kept_chat (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session BYTEA NOT NULL,
  epoch BYTEA NOT NULL,
  breakout BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  author BYTEA NOT NULL,
  role BYTEA NOT NULL,
  sent_at_ms BIGINT NOT NULL,
  text BYTEA NOT NULL,
  UNIQUE (session, epoch, breakout, seq)
);
CREATE INDEX kept_chat_by_session ON kept_chat(session, sent_at_ms, id);
)sql",
    R"sql(
CREATE TABLE worksheets (
  session BYTEA NOT NULL,
  instance_id BYTEA NOT NULL,
  template_id BYTEA NOT NULL,
  template_version BIGINT NOT NULL,
  scope BYTEA NOT NULL,
  owner_subject BYTEA NOT NULL,
  family_subject BYTEA NOT NULL,
  sharing BYTEA NOT NULL,
  created_by BYTEA NOT NULL,
  created_at_ms BIGINT NOT NULL,
  position BIGSERIAL NOT NULL,
  PRIMARY KEY (session, instance_id)
);
CREATE TABLE worksheet_commits (
  session BYTEA NOT NULL,
  instance_id BYTEA NOT NULL,
  version BIGINT NOT NULL,
  author BYTEA NOT NULL,
  body BYTEA NOT NULL,
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (session, instance_id, version),
  FOREIGN KEY (session, instance_id) REFERENCES worksheets (session, instance_id)
);
)sql",
    R"sql(
CREATE TABLE worksheet_templates (
  template_id BYTEA NOT NULL,
  version BIGINT NOT NULL,
  body BYTEA NOT NULL,
  created_by BYTEA NOT NULL,
  created_at_ms BIGINT NOT NULL,
  retired_at_ms BIGINT,
  PRIMARY KEY (template_id, version)
);
)sql",
};

}  // namespace

std::span<const std::string_view> postgres_migrations() { return migrations; }

}  // namespace hearth::store
