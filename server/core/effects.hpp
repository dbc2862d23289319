// What the room core asks the shell to do after a command: deliver events to
// audiences, reply to the caller, close connections. Timers are read from
// room::next_wake() after every call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "hearth/v1/envelope.pb.h"
#include "worksheets/document.hpp"
#include "worksheets/export.hpp"

namespace hearth::core {

enum class audience_kind : std::uint8_t {
  room_stream,       // everyone joined in `place`; carries that place's room seq
  direct,            // one member's direct stream; carries that member's direct seq
  everyone_but,      // ephemeral, unsequenced: everyone joined in `place` except `member`
  direct_ephemeral,  // unsequenced, not kept: one member's connection, if joined
};

struct audience {
  audience_kind kind = audience_kind::room_stream;
  member_id member = 0;     // for direct and everyone_but
  std::uint32_t place = 0;  // for room_stream and everyone_but: 0 the main room, else a breakout
};

struct room_event {
  audience to;
  v1::Event event;  // fully stamped (room id, seq or direct seq, server time)
};

struct close_request {
  connection_id connection = 0;
  v1::CloseCode code = v1::CLOSE_CODE_UNSPECIFIED;
  std::string reason;  // short, no user content
};

// A person's attendance segment opens (they became present: first join, or
// back after leaving or after their grace period ran out) or closes (they
// left, or dropped and did not return within the grace period: the segment
// ends when the connection dropped). Reconnects within the grace period
// produce nothing, so one segment spans them.
struct attendance_change {
  enum class kind : std::uint8_t { opened, closed };
  kind what = kind::opened;
  std::string subject;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  time_ms at = 0;
};

// A sensitive action the shell writes to the audit trail (the core does no
// I/O). Identities and short codes only: never chat text, names or anything
// else a member wrote. The shell adds the room as the record's session.
struct audit_note {
  std::string actor;  // the acting member's token subject
  v1::Role actor_role = v1::ROLE_UNSPECIFIED;
  std::string action;  // e.g. distress_signaled, distress_acknowledged
  std::string target;  // the subject the action concerns
  std::string outcome = "ok";
  std::string detail;  // a code, e.g. "signal=3"
  time_ms at = 0;      // the core's time of the action
};

// A waiting connection became member `member`: after this call's events, the
// shell sends it ServerMessage.admitted (with a snapshot) and from then on the
// room's events.
struct admission {
  connection_id connection = 0;
  member_id member = 0;
};

// A member's connection went back to the lobby: the room's events from index
// `after_events` of this call on no longer reach it.
struct lobby_return {
  connection_id connection = 0;
  std::size_t after_events = 0;
};

// ServerMessage.lobby for one waiting connection, unsequenced.
struct lobby_notice {
  connection_id connection = 0;
  v1::LobbyStatus status;
};

// A ban the shell keeps durably (or lifts). The display name is for the
// facilitators' ban list after a restart; it is never logged.
struct ban_change {
  bool lifted = false;
  std::string subject;
  std::string display_name;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string by;  // the facilitator's subject
  time_ms at = 0;
};

// A consent a facilitator attested in the session, for the shell to keep.
struct consent_change {
  std::string subject;  // the observer
  std::string recorded_by;
  time_ms granted_at = 0;
};

// A member went into another room of the session (a breakout, or back to the
// main room, `place` 0). From index `after_events` of this call on, no room
// stream event reaches their connection; after this call's events the shell
// sends it ServerMessage.moved with a snapshot of the room it is in then.
struct place_move {
  connection_id connection = 0;
  member_id member = 0;
  std::uint32_t place = 0;
  std::size_t after_events = 0;
};

// Room chat a session keeps (its plan's keep_chat), for the shell to store
// durably: a message sent to the room, or a facilitator's deletion of one,
// which removes the stored text. Only room chat: never a private message, a
// message to the facilitators or a distress signal.
struct kept_chat_change {
  enum class kind : std::uint8_t { sent, deleted };
  kind what = kind::sent;
  std::uint32_t seq = 0;    // the message's seq in its room's stream
  std::uint32_t place = 0;  // that room: 0 the main room, else a breakout (ids never reused)
  std::string author;       // the sender's subject; "" for a deletion
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string text;  // "" for a deletion
  time_ms at = 0;
};

// A new worksheet instance, as the shell stores it: subjects, not member ids
// (those last only for the room's life). `family_subject`: the participant
// whose family unit a family sheet belongs to.
struct worksheet_instance_record {
  std::string instance_id;
  std::string template_id;
  std::uint32_t template_version = 0;
  v1::WorksheetScope scope = v1::WORKSHEET_SCOPE_UNSPECIFIED;
  std::string owner_subject;
  std::string family_subject;
  std::string created_by;
  time_ms at = 0;
};

// Worksheet changes that exist only once durable: the shell stores them in
// one transaction and then calls room::worksheet_stored(ticket, committed),
// which applies them, sends the events and answers whoever asked.
struct worksheet_write {
  std::uint64_t ticket = 0;
  std::vector<worksheet_instance_record> created;
  std::optional<v1::WorksheetCommit> commit;
  std::string author_subject;  // the commit's author
  time_ms at = 0;
};

// A facilitator saved a template version or retired a template: the shell
// stores it, puts it in the shared catalog once durable, and then calls
// room::worksheet_stored(ticket, committed), which answers whoever asked.
struct template_write {
  std::uint64_t ticket = 0;
  std::optional<v1::WorksheetTemplate> saved;  // with the version the core gave it
  std::string retired;                         // else: the template id retired
  std::string by_subject;
  time_ms at = 0;
};

// A reader asked for a sheet as PDF. Laying out a PDF reads fonts and takes
// milliseconds, so the shell renders it off the room's executor
// (server/pdf) from this copy of the durable sheet, answers the caller with
// WorksheetExport.data, and writes `audit` with its outcome.
struct pdf_export {
  v1::WorksheetTemplate form;
  worksheets::document document;
  worksheets::export_meta meta;
  std::string filename;
  audit_note audit;  // outcome and detail are the shell's to complete
};

// Whom a personal sheet is shared with changed (kept so a restart keeps it).
struct worksheet_sharing_change {
  std::string instance_id;
  v1::WorksheetSharing sharing = v1::WORKSHEET_SHARING_UNSPECIFIED;
};

// A reply to a connection other than the caller's, or to the caller after a
// store commit: request_id is the one its command carried.
struct addressed_reply {
  connection_id connection = 0;
  std::uint32_t request_id = 0;
  v1::Reply reply;
};

struct effects {
  std::vector<room_event> events;  // in delivery order
  std::vector<close_request> closes;
  std::vector<admission> admitted;
  std::vector<lobby_return> to_lobby;
  std::vector<place_move> moves;
  std::vector<std::uint32_t> places_closed;  // breakouts that closed: their history can go
  std::vector<lobby_notice> lobby_notices;
  std::vector<ban_change> bans;
  std::vector<consent_change> consents;
  std::vector<attendance_change> attendance;
  std::vector<audit_note> audit;
  std::vector<kept_chat_change> kept_chat;
  std::vector<worksheet_write> worksheet_writes;
  std::vector<worksheet_sharing_change> worksheet_sharing;
  std::vector<template_write> template_writes;
  std::optional<pdf_export> pdf;         // answered by the shell, to the caller
  std::vector<addressed_reply> replies;  // sent after `reply`
  // A facilitator asked for the attendance so far: the shell reads the
  // records and answers the calling connection (no `reply` here).
  bool attendance_asked = false;
  // The joiner comes back after having left (or after their grace ran out):
  // their direct stream carried nothing while they were away, so the shell
  // answers with a snapshot even when its histories could replay.
  bool fresh_start = false;
  std::optional<v1::Reply> reply;  // to the calling connection (request id set by the shell)
};

v1::Reply error_reply(v1::ErrorCode code, std::string message, bool temporary = false);

}  // namespace hearth::core
