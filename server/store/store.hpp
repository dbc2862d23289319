// The one interface to durable storage. Implementations: SQLite (the embedded
// default, sqlite_store.hpp) and PostgreSQL (postgres_store.hpp). Calls are
// blocking and thread-safe; the server reaches the store only through a
// store_writer's thread or from the command line, never from a network thread.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace hearth::store {

class store_error : public std::runtime_error {
 public:
  enum class kind : std::uint8_t {
    full,     // the disk (or the database's quota) is full
    busy,     // another process held the database too long
    corrupt,  // the file is not a database or is damaged
    io,       // any other failure to read or write
  };
  store_error(kind k, const std::string& what) : std::runtime_error(what), kind_(k) {}
  kind which() const { return kind_; }

 private:
  kind kind_;
};

const char* kind_name(store_error::kind k);

class store {
 public:
  virtual ~store() = default;

  // Applies every write in one transaction, durable when this returns. On
  // failure it throws store_error and none of the writes was applied. After a
  // batch that deleted kept chat, the SQLite store checkpoints its WAL, as a
  // purge does.
  virtual void commit(const std::vector<write>& batch) = 0;

  // Starts a server run: closes the attendance segments a previous run left
  // open (at that run's last alive mark) and returns the new run's number.
  virtual std::int64_t begin_run(time_ms now) = 0;

  virtual std::vector<audit_record> audit(const audit_query& query) = 0;
  // Walks the whole chain (from the anchor a purge left, if any); reports the
  // first record that does not verify.
  virtual audit_verification verify_audit() = 0;

  // Every segment of a session, in the order they opened.
  virtual std::vector<attendance_segment> attendance(const std::string& session) = 0;
  virtual std::optional<session_record> session(const std::string& id) = 0;
  // Sessions scheduled to start in [from, to), by start time, rosters included.
  virtual std::vector<session_record> sessions(time_ms from, time_ms to) = 0;
  // The bans of a session, oldest first.
  virtual std::vector<ban_record> bans(const std::string& session) = 0;
  // A session's consents, one per observer, by subject.
  virtual std::vector<consent_record> consents(const std::string& session) = 0;
  // A session's worksheets in the order they were made, each with its commits.
  virtual std::vector<worksheet_record> worksheets(const std::string& session) = 0;
  // Facilitators' templates, every version, by (id, version); the versions of
  // retired templates only with retired_templates::include.
  virtual std::vector<worksheet_template_record> worksheet_templates(retired_templates which) = 0;

  // A session's kept chat, in the order it was sent.
  virtual std::vector<kept_chat_message> kept_chat(const std::string& session) = 0;

  // A person's segments, in every session, that overlap [from, to).
  virtual std::vector<attendance_segment> attendance_of(const std::string& subject, time_ms from,
                                                        time_ms to) = 0;

  // Deletes what `request` names, in one transaction, and reports how many
  // rows of each kind went; on failure it throws store_error and nothing was
  // deleted. Purged audit records leave an anchor (the last one's number and
  // hash) from which verify_audit() and the next append go on. The SQLite
  // store then checkpoints its WAL, so no copy of a deleted row stays there;
  // the PostgreSQL store vacuums the tables it deleted from, when its role
  // may (docs/operations.md, "Retention").
  virtual purge_report purge(const purge_request& request) = 0;
};

}  // namespace hearth::store
