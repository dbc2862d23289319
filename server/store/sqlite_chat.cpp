// Kept chat in the SQLite store: a session's room chat, when its plan keeps
// it, and the deletion of a message for real (secure_delete zeroes the row).
#include "store/sqlite_store.hpp"

namespace hearth::store {

void sqlite_store::keep_chat(const kept_chat_put& put) {
  // A message already kept stays as it was: a repeat must not fail the batch
  // (and the attendance and audit records that share its transaction).
  sqlite::statement insert(db_.handle(),
                           "INSERT INTO kept_chat (session, epoch, seq, author, role, sent_at_ms, "
                           "text) VALUES (?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (session, epoch, seq) DO NOTHING");
  insert.bind(1, put.session)
      .bind(2, put.epoch)
      .bind(3, put.seq)
      .bind(4, put.author)
      .bind(5, put.role)
      .bind(6, put.at)
      .bind(7, put.text)
      .run();
}

void sqlite_store::forget_chat(const kept_chat_delete& gone) {
  sqlite::statement remove(db_.handle(),
                           "DELETE FROM kept_chat WHERE session = ? AND epoch = ? AND seq = ?");
  remove.bind(1, gone.session).bind(2, gone.epoch).bind(3, gone.seq).run();
}

std::vector<kept_chat_message> sqlite_store::kept_chat(const std::string& session) {
  std::lock_guard lock(mutex_);
  sqlite::statement q(db_.handle(),
                      "SELECT epoch, seq, author, role, sent_at_ms, text FROM kept_chat "
                      "WHERE session = ? ORDER BY sent_at_ms, id");
  q.bind(1, session);
  std::vector<kept_chat_message> out;
  while (q.step()) {
    out.push_back({q.text(0), q.integer(1), q.text(2), q.text(3), q.integer(4), q.text(5)});
  }
  return out;
}

}  // namespace hearth::store
