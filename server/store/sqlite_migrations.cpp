// The SQLite store's schema, one migration per version.
#include <array>

#include "store/migrations.hpp"

namespace hearth::store {
namespace {

// Each migration runs once, in order, in its own transaction. Never edit one
// that has shipped: add the next.
constexpr std::array<std::string_view, 8> migrations = {
    R"sql(
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  session TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_by_session ON audit(session, seq);
CREATE INDEX audit_by_actor ON audit(actor, seq);
CREATE INDEX audit_by_time ON audit(at_ms);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at_ms INTEGER NOT NULL,
  alive_at_ms INTEGER NOT NULL
);
CREATE TABLE attendance (
  id INTEGER PRIMARY KEY,
  session TEXT NOT NULL,
  subject TEXT NOT NULL,
  role TEXT NOT NULL,
  joined_at_ms INTEGER NOT NULL,
  left_at_ms INTEGER,
  closed_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attendance_by_session ON attendance(session, joined_at_ms);
CREATE INDEX attendance_by_subject ON attendance(subject, joined_at_ms);
CREATE UNIQUE INDEX attendance_one_open ON attendance(session, subject) WHERE left_at_ms IS NULL;
)sql",
    R"sql(
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  kind TEXT NOT NULL,
  scheduled_start_ms INTEGER NOT NULL,
  scheduled_end_ms INTEGER NOT NULL,
  lobby_policy TEXT NOT NULL,
  admit_before_facilitator INTEGER NOT NULL,
  chat_policy TEXT NOT NULL,
  keep_chat INTEGER NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX sessions_by_start ON sessions(scheduled_start_ms);
CREATE TABLE session_roster (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  subject TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  relationship TEXT NOT NULL,
  accompanies TEXT NOT NULL,
  program TEXT NOT NULL,
  PRIMARY KEY (session_id, subject)
);
CREATE INDEX session_roster_by_subject ON session_roster(subject);
)sql",
    R"sql(
CREATE TABLE bans (
  session TEXT NOT NULL,
  subject TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  banned_by TEXT NOT NULL,
  banned_at_ms INTEGER NOT NULL,
  PRIMARY KEY (session, subject)
);
)sql",
    R"sql(
CREATE TABLE consents (
  session TEXT NOT NULL,
  subject TEXT NOT NULL,
  method TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  granted_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER,
  revoked_at_ms INTEGER,
  revoked_by TEXT NOT NULL,
  PRIMARY KEY (session, subject)
);
)sql",
    R"sql(
CREATE TABLE audit_anchor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX sessions_by_end ON sessions(scheduled_end_ms);
)sql",
    R"sql(
CREATE TABLE kept_chat (
  id INTEGER PRIMARY KEY,
  session TEXT NOT NULL,
  epoch TEXT NOT NULL,
  breakout INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  author TEXT NOT NULL,
  role TEXT NOT NULL,
  sent_at_ms INTEGER NOT NULL,
  text TEXT NOT NULL,
  UNIQUE (session, epoch, breakout, seq)
);
CREATE INDEX kept_chat_by_session ON kept_chat(session, sent_at_ms, id);
)sql",
    R"sql(
CREATE TABLE worksheets (
  session TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  template_id TEXT NOT NULL,
  template_version INTEGER NOT NULL,
  scope TEXT NOT NULL,
  owner_subject TEXT NOT NULL,
  family_subject TEXT NOT NULL,
  sharing TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (session, instance_id)
);
CREATE TABLE worksheet_commits (
  session TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  author TEXT NOT NULL,
  body BLOB NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (session, instance_id, version),
  FOREIGN KEY (session, instance_id) REFERENCES worksheets (session, instance_id)
);
)sql",
    R"sql(
CREATE TABLE worksheet_templates (
  template_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  body BLOB NOT NULL,
  created_by TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  retired_at_ms INTEGER,
  PRIMARY KEY (template_id, version)
);
)sql",
};

}  // namespace

std::span<const std::string_view> sqlite_migrations() { return migrations; }

}  // namespace hearth::store
