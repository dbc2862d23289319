// Worksheet instances and their committed batches in the SQLite store.
#include "store/sqlite_store.hpp"

namespace hearth::store {

void sqlite_store::put_worksheet(const worksheet_put& w) {
  // `position` keeps the order sheets were made in, as PostgreSQL's serial does.
  sqlite::statement insert(
      db_,
      "INSERT INTO worksheets (session, instance_id, template_id, template_version, scope, "
      "owner_subject, family_subject, sharing, created_by, created_at_ms, position) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'none', ?8, ?9, "
      "(SELECT COALESCE(MAX(position), 0) + 1 FROM worksheets))");
  insert.bind(1, w.session)
      .bind(2, w.instance_id)
      .bind(3, w.template_id)
      .bind(4, w.template_version)
      .bind(5, w.scope)
      .bind(6, w.owner_subject)
      .bind(7, w.family_subject)
      .bind(8, w.created_by)
      .bind(9, w.at)
      .run();
}

void sqlite_store::put_worksheet_commit(const worksheet_commit_put& c) {
  sqlite::statement insert(db_,
                           "INSERT INTO worksheet_commits (session, instance_id, version, author, "
                           "body, at_ms) VALUES (?, ?, ?, ?, ?, ?)");
  insert.bind(1, c.session)
      .bind(2, c.instance_id)
      .bind(3, c.version)
      .bind(4, c.author_subject)
      .bind(5, c.body)
      .bind(6, c.at)
      .run();
}

void sqlite_store::share_worksheet(const worksheet_share_put& s) {
  sqlite::statement update(
      db_, "UPDATE worksheets SET sharing = ? WHERE session = ? AND instance_id = ?");
  update.bind(1, s.sharing).bind(2, s.session).bind(3, s.instance_id).run();
}

std::vector<worksheet_record> sqlite_store::worksheets(const std::string& session) {
  std::lock_guard lock(mutex_);
  sqlite::statement q(db_,
                      "SELECT instance_id, template_id, template_version, scope, owner_subject, "
                      "family_subject, sharing, created_by, created_at_ms FROM worksheets "
                      "WHERE session = ? ORDER BY position");
  q.bind(1, session);
  std::vector<worksheet_record> out;
  while (q.step()) {
    out.push_back({q.text(0),
                   q.text(1),
                   q.integer(2),
                   q.text(3),
                   q.text(4),
                   q.text(5),
                   q.text(6),
                   q.text(7),
                   q.integer(8),
                   {}});
  }
  sqlite::statement commits(db_,
                            "SELECT version, author, body, at_ms FROM worksheet_commits "
                            "WHERE session = ? AND instance_id = ? ORDER BY version");
  for (auto& w : out) {
    commits.bind(1, session).bind(2, w.instance_id);
    while (commits.step()) {
      w.commits.push_back(
          {commits.integer(0), commits.text(1), commits.text(2), commits.integer(3)});
    }
    commits.reset();
  }
  return out;
}

void sqlite_store::put_worksheet_template(const worksheet_template_put& t) {
  sqlite::statement insert(
      db_,
      "INSERT INTO worksheet_templates (template_id, version, body, created_by, "
      "created_at_ms, retired_at_ms) VALUES (?, ?, ?, ?, ?, NULL)");
  insert.bind(1, t.template_id)
      .bind(2, t.version)
      .bind(3, t.body)
      .bind(4, t.created_by)
      .bind(5, t.at)
      .run();
}

void sqlite_store::retire_worksheet_template(const worksheet_template_retire& r) {
  sqlite::statement update(db_,
                           "UPDATE worksheet_templates SET retired_at_ms = ? "
                           "WHERE template_id = ? AND retired_at_ms IS NULL");
  update.bind(1, r.at).bind(2, r.template_id).run();
}

std::vector<worksheet_template_record> sqlite_store::worksheet_templates(retired_templates which) {
  std::lock_guard lock(mutex_);
  sqlite::statement q(db_.handle(),
                      which == retired_templates::include
                          ? "SELECT template_id, version, body, created_by, created_at_ms, "
                            "retired_at_ms FROM worksheet_templates ORDER BY template_id, version"
                          : "SELECT template_id, version, body, created_by, created_at_ms, "
                            "retired_at_ms FROM worksheet_templates WHERE retired_at_ms IS NULL "
                            "ORDER BY template_id, version");
  std::vector<worksheet_template_record> out;
  while (q.step()) {
    out.push_back({q.text(0), q.integer(1), q.text(2), q.text(3), q.integer(4),
                   q.is_null(5) ? std::nullopt : std::optional<time_ms>(q.integer(5))});
  }
  return out;
}

}  // namespace hearth::store
