// Plain vocabulary shared by the room core and the shell that drives it.
#pragma once

#include <cstdint>
#include <string>

#include "hearth/v1/room.pb.h"

namespace hearth::core {

// Milliseconds on the server clock (Unix epoch based, never stepping backwards:
// the shell derives it from the steady clock). The core never reads a clock.
using time_ms = std::int64_t;

// A transport connection, numbered by the shell; unique for the process' life.
using connection_id = std::uint64_t;

// A person in one room; stable for the room's life, never reused.
using member_id = std::uint32_t;

// Who a connection is, as established by its verified token.
struct identity {
  std::string subject;       // never leaves the server
  std::string display_name;  // shown to the room, never logged
  std::string room;          // the one room the token admits to
  v1::Role role = v1::ROLE_PARTICIPANT;
};

bool is_facilitator(v1::Role role);
// "facilitator", "co_facilitator", "participant", "family_member", "observer".
std::string role_label(v1::Role role);

// Every limit the core enforces; the shell fills them from configuration.
struct room_limits {
  std::uint32_t max_members = 50;                 // present or reconnecting at once
  std::uint32_t max_chat_bytes = 4000;            // UTF-8 bytes per chat message
  time_ms reconnect_grace = 15'000;               // dropped members stay "reconnecting" this long
  std::uint32_t recent_chat = 50;                 // room chat messages kept for snapshots
  std::uint32_t recent_chat_bytes = 64U * 1024U;  // bytes their texts may hold
  std::uint32_t deletable_chats = 1000;  // most recent room chat messages a facilitator can delete
  std::uint32_t dedupe_window = 64;      // client_msg_ids remembered per member
  time_ms max_turn = 7'200'000;          // longest turn budget, extensions included
  std::uint32_t max_round_label_bytes = 100;
  time_ms max_break = 7'200'000;                // longest break countdown
  std::uint32_t max_waiting = 100;              // people in the lobby at once
  std::uint32_t max_lobby_message_bytes = 500;  // UTF-8 bytes of the lobby message
  std::uint32_t max_poll_question_bytes = 300;  // UTF-8 bytes of a poll's question
  std::uint32_t kept_polls = 5;                 // closed polls kept for snapshots
  std::uint32_t max_breakouts = 20;             // breakout rooms open at once
  std::uint32_t max_breakout_name_bytes = 60;   // UTF-8 bytes of a breakout room's name
  time_ms max_breakout = 7'200'000;             // longest breakout timer
  time_ms worksheet_presence = 120'000;  // a worksheet presence not refreshed this long is cleared
  std::uint32_t max_worksheets = 500;    // sheets per session, made and being made
  // Edit batches waiting behind a sheet's commit to the store; beyond it, 111.
  std::uint32_t max_worksheet_queue = 64;
  // Largest worksheet export reply, in serialized bytes; the shell sets it
  // from the outbound queue's size, so an export never closes its reader.
  std::uint32_t max_export_bytes = 512U * 1024U;
  // Facilitators' own templates (shared by every room): serialized bytes of
  // one version, template ids, and versions of one id.
  std::uint32_t max_template_bytes = 64U * 1024U;
  std::uint32_t max_custom_templates = 200;
  std::uint32_t max_template_versions = 100;
};

}  // namespace hearth::core
