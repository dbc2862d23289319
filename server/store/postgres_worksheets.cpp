// Worksheet instances and their committed batches in the PostgreSQL store.
#include "store/postgres_store.hpp"

namespace hearth::store {

void postgres_store::put_worksheet(const worksheet_put& w) {
  db_.exec("store a worksheet",
           "INSERT INTO worksheets (session, instance_id, template_id, template_version, scope, "
           "owner_subject, family_subject, sharing, created_by, created_at_ms) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, 'none', $8, $9)",
           pg::params()
               .bytes(w.session)
               .bytes(w.instance_id)
               .bytes(w.template_id)
               .integer(w.template_version)
               .bytes(w.scope)
               .bytes(w.owner_subject)
               .bytes(w.family_subject)
               .bytes(w.created_by)
               .integer(w.at));
}

void postgres_store::put_worksheet_commit(const worksheet_commit_put& c) {
  db_.exec("store a worksheet commit",
           "INSERT INTO worksheet_commits (session, instance_id, version, author, body, at_ms) "
           "VALUES ($1, $2, $3, $4, $5, $6)",
           pg::params()
               .bytes(c.session)
               .bytes(c.instance_id)
               .integer(c.version)
               .bytes(c.author_subject)
               .bytes(c.body)
               .integer(c.at));
}

void postgres_store::share_worksheet(const worksheet_share_put& s) {
  db_.exec("share a worksheet",
           "UPDATE worksheets SET sharing = $1 WHERE session = $2 AND instance_id = $3",
           pg::params().bytes(s.sharing).bytes(s.session).bytes(s.instance_id));
}

std::vector<worksheet_record> postgres_store::worksheets(const std::string& session) {
  std::lock_guard lock(mutex_);
  ready();
  const auto rows = db_.exec("read worksheets",
                             "SELECT instance_id, template_id, template_version, scope, "
                             "owner_subject, family_subject, sharing, created_by, created_at_ms "
                             "FROM worksheets WHERE session = $1 ORDER BY position",
                             pg::params().bytes(session));
  std::vector<worksheet_record> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) {
    out.push_back({rows.bytes(i, 0),
                   rows.bytes(i, 1),
                   rows.integer(i, 2),
                   rows.bytes(i, 3),
                   rows.bytes(i, 4),
                   rows.bytes(i, 5),
                   rows.bytes(i, 6),
                   rows.bytes(i, 7),
                   rows.integer(i, 8),
                   {}});
  }
  for (auto& w : out) {
    const auto commits = db_.exec("read worksheet commits",
                                  "SELECT version, author, body, at_ms FROM worksheet_commits "
                                  "WHERE session = $1 AND instance_id = $2 ORDER BY version",
                                  pg::params().bytes(session).bytes(w.instance_id));
    for (int i = 0; i < commits.rows(); ++i) {
      w.commits.push_back(
          {commits.integer(i, 0), commits.bytes(i, 1), commits.bytes(i, 2), commits.integer(i, 3)});
    }
  }
  return out;
}

void postgres_store::put_worksheet_template(const worksheet_template_put& t) {
  db_.exec("store a worksheet template",
           "INSERT INTO worksheet_templates (template_id, version, body, created_by, "
           "created_at_ms, retired_at_ms) VALUES ($1, $2, $3, $4, $5, NULL)",
           pg::params()
               .bytes(t.template_id)
               .integer(t.version)
               .bytes(t.body)
               .bytes(t.created_by)
               .integer(t.at));
}

void postgres_store::retire_worksheet_template(const worksheet_template_retire& r) {
  db_.exec("retire a worksheet template",
           "UPDATE worksheet_templates SET retired_at_ms = $1 "
           "WHERE template_id = $2 AND retired_at_ms IS NULL",
           pg::params().integer(r.at).bytes(r.template_id));
}

std::vector<worksheet_template_record> postgres_store::worksheet_templates(
    retired_templates which) {
  std::lock_guard lock(mutex_);
  ready();
  const auto rows = db_.exec(
      "read worksheet templates",
      which == retired_templates::include
          ? "SELECT template_id, version, body, created_by, created_at_ms, retired_at_ms "
            "FROM worksheet_templates ORDER BY template_id, version"
          : "SELECT template_id, version, body, created_by, created_at_ms, retired_at_ms "
            "FROM worksheet_templates WHERE retired_at_ms IS NULL ORDER BY template_id, version");
  std::vector<worksheet_template_record> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) {
    out.push_back({rows.bytes(i, 0), rows.integer(i, 1), rows.bytes(i, 2), rows.bytes(i, 3),
                   rows.integer(i, 4),
                   rows.is_null(i, 5) ? std::nullopt : std::optional<time_ms>(rows.integer(i, 5))});
  }
  return out;
}

}  // namespace hearth::store
