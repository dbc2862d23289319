// Kept chat in the PostgreSQL store: a session's room chat, when its plan
// keeps it, and the deletion of a message (a dead tuple until VACUUM:
// docs/operations.md, "Retention").
#include "store/postgres_store.hpp"

namespace hearth::store {

void postgres_store::keep_chat(const kept_chat_put& put) {
  // A message already kept stays as it was: a repeat must not fail the batch
  // (and the attendance and audit records that share its transaction).
  db_.exec("keep a chat message",
           "INSERT INTO kept_chat (session, epoch, breakout, seq, author, role, sent_at_ms, text) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
           "ON CONFLICT (session, epoch, breakout, seq) DO NOTHING",
           pg::params()
               .bytes(put.session)
               .bytes(put.epoch)
               .integer(put.breakout)
               .integer(put.seq)
               .bytes(put.author)
               .bytes(put.role)
               .integer(put.at)
               .bytes(put.text));
}

void postgres_store::forget_chat(const kept_chat_delete& gone) {
  db_.exec(
      "delete a kept chat message",
      "DELETE FROM kept_chat WHERE session = $1 AND epoch = $2 AND breakout = $3 AND seq = $4",
      pg::params().bytes(gone.session).bytes(gone.epoch).integer(gone.breakout).integer(gone.seq));
}

std::vector<kept_chat_message> postgres_store::kept_chat(const std::string& session) {
  std::lock_guard lock(mutex_);
  ready();
  const auto rows = db_.exec("read kept chat",
                             "SELECT epoch, breakout, seq, author, role, sent_at_ms, text "
                             "FROM kept_chat WHERE session = $1 ORDER BY sent_at_ms, id",
                             pg::params().bytes(session));
  std::vector<kept_chat_message> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) {
    out.push_back({rows.bytes(i, 0), rows.integer(i, 1), rows.integer(i, 2), rows.bytes(i, 3),
                   rows.bytes(i, 4), rows.integer(i, 5), rows.bytes(i, 6)});
  }
  return out;
}

}  // namespace hearth::store
