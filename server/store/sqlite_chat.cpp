// Kept chat in the SQLite store: a session's room chat, when its plan keeps
// it, and the deletion of a message for real (secure_delete zeroes the row).
#include "store/sqlite_store.hpp"

namespace hearth::store {

void sqlite_store::keep_chat(const kept_chat_put& put) {
  // A message already kept stays as it was: a repeat must not fail the batch
  // (and the attendance and audit records that share its transaction).
  sqlite::statement insert(db_,
                           "INSERT INTO kept_chat (session, epoch, breakout, seq, author, role, "
                           "sent_at_ms, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (session, epoch, breakout, seq) DO NOTHING");
  insert.bind(1, put.session)
      .bind(2, put.epoch)
      .bind(3, put.breakout)
      .bind(4, put.seq)
      .bind(5, put.author)
      .bind(6, put.role)
      .bind(7, put.at)
      .bind(8, put.text)
      .run();
}

void sqlite_store::forget_chat(const kept_chat_delete& gone) {
  sqlite::statement remove(db_,
                           "DELETE FROM kept_chat WHERE session = ? AND epoch = ? AND breakout = ? "
                           "AND seq = ?");
  remove.bind(1, gone.session).bind(2, gone.epoch).bind(3, gone.breakout).bind(4, gone.seq).run();
}

std::vector<kept_chat_message> sqlite_store::kept_chat(const std::string& session) {
  std::lock_guard lock(mutex_);
  sqlite::statement q(db_,
                      "SELECT epoch, breakout, seq, author, role, sent_at_ms, text FROM kept_chat "
                      "WHERE session = ? ORDER BY sent_at_ms, id");
  q.bind(1, session);
  std::vector<kept_chat_message> out;
  while (q.step()) {
    out.push_back(
        {q.text(0), q.integer(1), q.integer(2), q.text(3), q.text(4), q.integer(5), q.text(6)});
  }
  return out;
}

}  // namespace hearth::store
