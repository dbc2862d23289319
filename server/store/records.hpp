// What Hearth keeps durably: audit records, attendance, session plans, bans,
// consents, and the room chat of sessions that keep it. Plain values; no
// therapy content appears in any of them but the kept chat (kept_chat_put),
// and none in an audit record (no chat, no worksheet text, no names).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace hearth::store {

// Milliseconds since the Unix epoch (wall clock).
using time_ms = std::int64_t;

// One privileged or sensitive action. Actions and outcomes are short codes
// (docs/operations.md lists them); `detail` is a reason code, never free text.
struct audit_entry {
  time_ms at = 0;
  std::string actor;       // token subject; "operator" for the command line; "" for the server
  std::string actor_role;  // facilitator, participant, ..., operator, system, unauthenticated
  std::string action;      // e.g. auth_failed, token_minted
  std::string target;      // whom or what it concerns: a subject, a session id
  std::string session;     // the room, "" when none
  std::string outcome;     // ok, denied, failed
  std::string detail;      // e.g. "expired", "bad_signature"

  bool operator==(const audit_entry&) const = default;
};

// An audit entry as stored: numbered from 1 and chained to the one before by
// SHA-256, so any change, insertion or removal breaks the chain from there on.
struct audit_record {
  std::int64_t seq = 0;
  audit_entry entry;
  std::string prev_hash;  // hex; 64 zeros for the first record
  std::string hash;       // hex SHA-256 of seq, entry and prev_hash (audit_chain.hpp)
};

// A person became present in a session (joined, or came back after leaving or
// after their grace period ran out). Reconnects within the grace period are
// not reported, so one segment spans them.
struct attendance_open {
  std::string session;
  std::string subject;
  std::string role;
  time_ms at = 0;
};

// The person's open segment in the session ends at `at` (when they left, or
// when the connection dropped for a reconnect that never came).
struct attendance_close {
  std::string session;
  std::string subject;
  time_ms at = 0;
};

// The server is alive at `at` (written periodically), so that after an unclean
// stop the segments left open can be closed at a time the server vouched for.
struct alive_mark {
  std::int64_t run = 0;
  time_ms at = 0;
};

// A person on a session's roster. Names are kept here, for the tokens and the
// room, and never logged.
struct roster_entry {
  std::string subject;       // identity in the clinic's systems
  std::string display_name;  // shown in the room
  std::string role;          // facilitator, co_facilitator, participant, family_member, observer
  std::string relationship;  // family members: e.g. "parent", "spouse"; otherwise ""
  std::string accompanies;   // family members: the subject of the participant they accompany
  std::string program;       // participants: "adult" or "adolescent"; otherwise ""

  bool operator==(const roster_entry&) const = default;
};

// A planned session. Its id is the room id its tokens admit to.
struct session_record {
  std::string id;
  std::string title;
  std::string kind;  // group, family, multi_family_group, individual
  time_ms scheduled_start = 0;
  time_ms scheduled_end = 0;
  std::string lobby_policy;  // everyone_waits, roster_enters, open
  bool admit_before_facilitator = false;
  std::string chat_policy;   // room, facilitators_only, off
  bool keep_chat = false;    // whether chat is stored at all (off by default)
  std::string status;        // scheduled, cancelled
  std::int64_t version = 0;  // 1 when created, +1 on every change
  time_ms created_at = 0;
  time_ms updated_at = 0;
  std::vector<roster_entry> roster;

  bool operator==(const session_record&) const = default;
};

// Creates or replaces a session (its roster included) as given.
struct session_put {
  session_record record;
};

// A facilitator banned a person from a session: no token of theirs, old or
// new, admits them to it until the ban is lifted. Creates or replaces.
struct ban_put {
  std::string session;
  std::string subject;
  std::string display_name;  // shown to facilitators in the room's ban list; never logged
  std::string role;          // role label, e.g. participant
  std::string banned_by;     // subject of the facilitator
  time_ms at = 0;
};

// Lifts a ban; no ban is not an error.
struct ban_lift {
  std::string session;
  std::string subject;
};

struct ban_record {
  std::string subject;
  std::string display_name;
  std::string role;
  std::string banned_by;
  time_ms at = 0;
  bool operator==(const ban_record&) const = default;
};

// Consent, recorded for a session, for one observer to be present (42 CFR
// Part 2): through the admin API ("admin_api") or attested by a facilitator in
// the session ("attested"). Creates or replaces (a new grant after a
// revocation grants again).
struct consent_put {
  std::string session;
  std::string subject;      // the observer
  std::string method;       // admin_api, attested
  std::string recorded_by;  // "admin" for the admin API; the facilitator's subject
  time_ms granted_at = 0;
  std::optional<time_ms> expires_at;  // empty: for the whole session
};

// Withdraws a consent; no consent is not an error.
struct consent_revoke {
  std::string session;
  std::string subject;
  std::string revoked_by;
  time_ms at = 0;
};

struct consent_record {
  std::string subject;
  std::string method;
  std::string recorded_by;
  time_ms granted_at = 0;
  std::optional<time_ms> expires_at;
  std::optional<time_ms> revoked_at;
  std::string revoked_by;
  bool operator==(const consent_record&) const = default;
};

// A room chat message of a session whose plan keeps chat (keep_chat): room
// chat only, never a private message. A room numbers its events afresh each
// time it opens, and each breakout room has a stream of its own, so a message
// is known by its session, the room's epoch, the breakout (0: the main room)
// and its seq there. The text is content: it never reaches a log or the audit
// trail.
struct kept_chat_put {
  std::string session;
  std::string epoch;
  std::int64_t breakout = 0;
  std::int64_t seq = 0;
  std::string author;  // the sender's subject
  std::string role;    // role label, e.g. participant
  time_ms at = 0;
  std::string text;
};

// A facilitator deleted a kept message: its row is deleted for real. No such
// message is not an error.
struct kept_chat_delete {
  std::string session;
  std::string epoch;
  std::int64_t breakout = 0;
  std::int64_t seq = 0;
};

struct kept_chat_message {
  std::string epoch;
  std::int64_t breakout = 0;
  std::int64_t seq = 0;
  std::string author;
  std::string role;
  time_ms at = 0;
  std::string text;
  bool operator==(const kept_chat_message&) const = default;
};

// A worksheet instance made in a session (worksheet text never appears here:
// the content is in its commits). Subjects, not the room's member ids.
struct worksheet_put {
  std::string session;
  std::string instance_id;
  std::string template_id;
  std::int64_t template_version = 0;
  std::string scope;           // session, personal, family
  std::string owner_subject;   // personal sheets
  std::string family_subject;  // family sheets: the family's participant
  std::string created_by;
  time_ms at = 0;
};

// One committed batch of a worksheet: `body` is its WorksheetCommit as
// protobuf bytes (therapy content: never logged). Versions are contiguous
// from 1 per instance; the instance's worksheet_put is committed first.
struct worksheet_commit_put {
  std::string session;
  std::string instance_id;
  std::int64_t version = 0;
  std::string author_subject;
  std::string body;
  time_ms at = 0;
};

// Whom a personal sheet is shared with: none, group, family.
struct worksheet_share_put {
  std::string session;
  std::string instance_id;
  std::string sharing;
};

struct worksheet_commit_record {
  std::int64_t version = 0;
  std::string author_subject;
  std::string body;
  time_ms at = 0;
  bool operator==(const worksheet_commit_record&) const = default;
};

struct worksheet_record {
  std::string instance_id;
  std::string template_id;
  std::int64_t template_version = 0;
  std::string scope;
  std::string owner_subject;
  std::string family_subject;
  std::string sharing;  // none, group, family
  std::string created_by;
  time_ms created_at = 0;
  std::vector<worksheet_commit_record> commits;  // by version
  bool operator==(const worksheet_record&) const = default;
};

// A facilitator's template version: `body` is its WorksheetTemplate as
// protobuf bytes (template text: never logged). (template_id, version) is
// unique, so of two saves that picked the same version one fails.
struct worksheet_template_put {
  std::string template_id;
  std::int64_t version = 0;
  std::string body;
  std::string created_by;  // subject
  time_ms at = 0;
};

// Retires every version of a template (a no-op for one already retired).
struct worksheet_template_retire {
  std::string template_id;
  time_ms at = 0;
};

struct worksheet_template_record {
  std::string template_id;
  std::int64_t version = 0;
  std::string body;
  std::string created_by;
  time_ms created_at = 0;
  std::optional<time_ms> retired_at;  // empty while current
  bool operator==(const worksheet_template_record&) const = default;
};

enum class retired_templates : std::uint8_t { exclude, include };

using write = std::variant<audit_entry, attendance_open, attendance_close, alive_mark, session_put,
                           ban_put, ban_lift, consent_put, consent_revoke, kept_chat_put,
                           kept_chat_delete, worksheet_put, worksheet_commit_put,
                           worksheet_share_put, worksheet_template_put, worksheet_template_retire>;

struct attendance_segment {
  std::string session;
  std::string subject;
  std::string role;
  time_ms joined_at = 0;
  std::optional<time_ms> left_at;  // empty while present
  // How it closed: "left" (a leave or an expired grace period), "restart" (the
  // server stopped without closing it; left_at is its last alive mark), or "".
  std::string closed_by;
};

struct audit_query {
  std::optional<std::string> session;
  std::optional<std::string> actor;
  std::optional<time_ms> since;  // inclusive
  std::optional<time_ms> until;  // exclusive
  std::int64_t after_seq = 0;    // for paging
  std::size_t limit = 1000;
};

struct audit_verification {
  std::int64_t records = 0;                  // records checked
  std::int64_t purged_through = 0;           // records 1 to this were purged (0: none)
  std::optional<std::int64_t> first_broken;  // seq of the first record that fails
  std::string reason;                        // why it fails, when it does
  bool ok() const { return !first_broken; }
};

// What a retention purge deletes (store::purge). Content: planned sessions
// that ended before `content_before`, their rosters, bans, consents and kept
// chat, and the bans, consents and kept chat of rooms without a planned
// session whose last change is older. Records, when `audit_before` is set: the audit records before
// it (a prefix of the chain: a record is kept with everything after the first one at or after
// `audit_before`) and the attendance segments that ended before it.
struct purge_request {
  time_ms content_before = 0;
  std::optional<time_ms> audit_before;  // empty: audit records and attendance are kept
};

// How many rows a purge deleted, per kind (`worksheets`: worksheet
// instances; their committed batches go with them).
struct purge_report {
  std::int64_t sessions = 0, roster_entries = 0, bans = 0, consents = 0, chat_messages = 0,
               worksheets = 0, attendance = 0, audit = 0;
  bool operator==(const purge_report&) const = default;
};

}  // namespace hearth::store
