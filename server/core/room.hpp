// The room core: a deterministic state machine for one room. It takes commands
// with the current time and returns effects (events with audiences, a reply,
// connections to close); it never does I/O or reads a clock. The shell calls it
// only from the room's executor.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/effects.hpp"
#include "core/floor_control.hpp"
#include "core/lobby.hpp"
#include "core/moderation.hpp"
#include "core/poll.hpp"
#include "core/recent_chats.hpp"
#include "core/ring.hpp"
#include "core/roster.hpp"
#include "core/safety.hpp"
#include "core/template_rules.hpp"
#include "core/worksheet_book.hpp"

namespace hearth::core {

// The audit action of a breakout command ("breakouts_opened", ...).
std::string breakout_action(const v1::BreakoutCommand& command);
// The audit action of a lobby command ("admit", "deny", "ban", ...).
std::string lobby_action(const v1::LobbyCommand& command);
// The audit action of any command: "chat", "floor_grant_floor",
// "distress_signaled", "poll_answered", ...
std::string command_action(const v1::ClientMessage& message);

class room {
 public:
  room(std::string id, room_limits limits);

  const std::string& id() const { return id_; }

  // The session's plan for entering and its bans, read from the store before
  // the first join (a room without a planned session keeps the defaults).
  void configure(session_plan plan);
  void restore_ban(const std::string& subject, const std::string& display_name, v1::Role role,
                   time_ms at);
  // Observers' consents: as read from the store when the room opens, and as
  // changed through the admin API while it is open (a consent no longer valid
  // takes the observer out of the room: LEAVE_REASON_CONSENT_WITHDRAWN, 4509).
  void restore_consent(const std::string& subject, observer_consent consent);
  effects update_consent(const std::string& subject, observer_consent consent, time_ms now);

  // Worksheets (room_worksheets.cpp). The template catalog shared by every
  // room; without it worksheet commands are refused.
  void use_templates(std::shared_ptr<const worksheet_templates> templates);
  // A sheet read from the store when the room opens (after configure); false
  // when its template version is unknown or its log does not replay.
  bool restore_worksheet(const stored_worksheet& stored);
  // The shell committed (or failed to commit) the worksheet_write `ticket`:
  // the change exists now (events, answer) or never (an error answer).
  effects worksheet_stored(std::uint64_t ticket, bool committed, time_ms now);

  // A connection carrying `who` joins. Banned identities are refused (120);
  // whoever the lobby policy holds back waits in the lobby instead (the reply
  // carries JoinResult.lobby), until a facilitator admits them. Policy for a second connection of
  // the same identity: the newer connection replaces the older one, which is closed with
  // CLOSE_CODE_REPLACED; presence does not flap. On success the reply is a JoinResult with
  // member_id and head positions filled in; the shell adds epoch and snapshot or replay.
  effects join(connection_id conn, const identity& who, time_ms now);

  // The transport of `conn` dropped without a LeaveRoom: its member becomes
  // "reconnecting" until the grace deadline. Unknown or replaced connections
  // are ignored.
  effects disconnect(connection_id conn, time_ms now);

  // A command from a joined connection (SendChat, Typing, LeaveRoom, FloorCommand,
  // SignalDistress, AcknowledgeDistress, Moderation, LobbyCommand, PollCommand).
  effects handle(connection_id conn, const v1::ClientMessage& message, time_ms now);

  // Timers: the shell calls wake() at or after next_wake().
  effects wake(time_ms now);
  std::optional<time_ms> next_wake() const;

  // The state a joining member starts from; facilitators also get airtime and
  // every open distress signal, participants and family members their own.
  // Polls show each viewer what their events showed them.
  // The snapshot shows the room of the session the viewer is in (the main
  // room or their breakout): its floor and chat, everyone's presence.
  v1::RoomSnapshot snapshot(member_id viewer, time_ms now) const;
  // The room stream position of `place` (0: the main room; a closed or unknown breakout: 0).
  std::uint32_t head_seq(std::uint32_t breakout = 0) const;
  std::uint32_t direct_head(member_id m) const;
  std::optional<member_id> member_of(connection_id conn);
  // The room of the session a member is in (0: the main room).
  std::uint32_t place_of_member(member_id m) const;

  // No member present or reconnecting, nobody waiting: the shell may retire the room.
  bool empty() const { return roster_.active_count() == 0 && lobby_.size() == 0; }

  // A facilitator ended the session: every join is refused from now on.
  bool ended() const { return ended_; }
  // The session of this room was ended earlier in this process' life (the
  // shell calls it on a room it creates again after an EndSession).
  void mark_ended() { ended_ = true; }
  bool locked() const { return locked_; }

  const roster& people() const { return roster_; }
  const lobby& waiting() const { return lobby_; }
  v1::FloorState floor_state(time_ms now) const { return places_.at(0).floor.state(now); }

  // The room's rules (floor included); the first one broken, or "" when all hold.
  std::string check_invariants() const;

 private:
  // The room stream, floor and chat of one room of the session: the main room
  // (id 0) or a breakout. Everything else (members, lobby, moderation,
  // distress, polls, direct streams) is the session's.
  struct chat_record {
    std::uint32_t seq = 0;
    member_id from = 0;
    bool deleted = false;
  };
  struct place {
    place(std::uint32_t place_id, std::string place_name, const room_limits& limits)
        : id(place_id),
          name(std::move(place_name)),
          floor(limits, place_id),
          recent_chat(limits.recent_chat, limits.recent_chat_bytes) {}
    std::uint32_t id = 0;
    std::string name;
    std::uint32_t seq = 0;
    floor_control floor;
    recent_chats recent_chat;  // with ChatMessage.seq set
    // The last `deletable_chats` room chat messages, by ascending seq: their
    // author, and whether a facilitator deleted them. Bounded: a room that
    // talks for hours must not grow without limit.
    ring<chat_record> chats;
  };
  // A member's room; the main room for someone whose breakout closed after they left.
  place& place_of(const member& m);
  const place& place_of(const member& m) const;

  // Breakout rooms (room_breakouts.cpp).
  effects breakout_command(member& from, const v1::BreakoutCommand& command, time_ms now);
  effects open_breakouts(member& by, const v1::OpenBreakouts& open, time_ms now);
  // Who goes where under `open` (validated), or an error in `refused`.
  std::vector<std::vector<member_id>> split(const v1::OpenBreakouts& open, v1::Reply& refused);
  effects call_facilitator(member& from, time_ms now);
  // `m` goes into `to` (which exists): each floor sees them leave or arrive,
  // and their connection switches rooms (effects::moves).
  void move(effects& out, member& m, std::uint32_t to, time_ms now);
  // Everyone back to the main room, the breakouts closed; `by` 0: the timer.
  void recall(effects& out, member_id by, time_ms now);
  void emit_breakouts(effects& out, v1::BreakoutChange change, member_id by, time_ms now);
  v1::BreakoutState breakout_state() const;
  std::optional<time_ms> next_breakout_wake() const;
  void wake_breakouts(effects& out, time_ms now);
  std::string check_breakouts() const;

  // Chat (room_chat.cpp).
  effects send_chat(member& from, const v1::SendChat& chat, time_ms now);
  effects typing(const member& from, bool active, time_ms now);

  // A joined member's command, by kind.
  effects dispatch(member& m, connection_id conn, const v1::ClientMessage& message, time_ms now);
  // handle() for a member: dispatch, then the audit of a refusal.
  effects member_command(member& m, connection_id conn, const v1::ClientMessage& message,
                         time_ms now);
  effects leave(member& m, time_ms now);
  // Facilitators: the shell answers from the attendance records.
  effects attendance_query(const member& from, time_ms now);
  // `m` leaves the room for `reason`: MemberLeft, their attendance segment
  // closes (when they dropped, if they were reconnecting), the floor lets go.
  void depart(effects& out, member& m, v1::LeaveReason reason, time_ms now);
  effects floor_command(member& from, const v1::ClientMessage& message, time_ms now);
  void presence_changed(effects& out, const member& m, v1::Presence before, time_ms now);

  // Safety (room_safety.cpp).
  effects signal_distress(member& from, time_ms now);
  effects acknowledge_distress(member& by, std::uint32_t signal_id, time_ms now);
  // The recipient of a private chat, or nullptr with `refused` set.
  member* private_recipient(const member& from, member_id to, v1::Reply& refused);
  // A facilitator arriving (new, or back after leaving) gets the open signals
  // (and the lobby and bans, when not empty, and the polls' answers) on their
  // direct stream, so that a resume covers them as a snapshot does.
  void brief_arriving_facilitator(effects& out, member& m, time_ms now);

  // Moderation (room_moderation.cpp).
  effects moderate(member& actor, const v1::Moderation& command, time_ms now);
  void ban_command(effects& out, member& actor, member* target, const v1::Moderation& command,
                   time_ms now);
  // The subject a moderation command concerns (a member, a chat's author, a
  // ban), or "".
  std::string moderation_subject(const v1::Moderation& command);
  void moderate_member(effects& out, member& actor, member& target, const v1::Moderation& command,
                       time_ms now);
  void moderate_room(effects& out, member& actor, const v1::Moderation& command, time_ms now);
  effects unmute_self(member& m, time_ms now);
  // Sets a member's mutes; on a change, MemberModeration and what the floor
  // does about it. Returns whether anything changed.
  bool set_mutes(effects& out, member& m, bool chat, bool floor, bool self_unmute, member_id actor,
                 time_ms now);
  void set_role(effects& out, member& actor, member& target, v1::Role role, time_ms now);
  void remove(effects& out, member& target, time_ms now);
  void start_break(effects& out, const member& actor, std::uint32_t ms, time_ms now);
  // `by` 0: the countdown ran out.
  void end_break(effects& out, member_id by, time_ms now);
  void end_session(effects& out, time_ms now);
  bool delete_chat(effects& out, place& where, std::uint32_t seq, time_ms now);

  // Check-in polls (room_polls.cpp).
  effects poll_command(member& from, const v1::PollCommand& command, time_ms now);
  effects start_poll(member& by, const v1::StartPoll& start, time_ms now);
  effects answer_poll(member& from, const v1::AnswerPoll& answer, time_ms now);
  effects close_poll(member& by, std::uint32_t poll_id, time_ms now);
  // A facilitator arriving or promoted gets the kept polls' answers on their
  // direct stream, so that a resume covers them as a snapshot does.
  void brief_polls(effects& out, member& m, time_ms now);

  // Lobby and bans (room_lobby.cpp).
  // Why `who` must wait, or WAIT_REASON_UNSPECIFIED to enter now.
  v1::WaitReason wait_reason(const identity& who, const member* before) const;
  bool facilitator_present() const;
  effects wait_in_lobby(connection_id conn, const identity& who, v1::WaitReason reason,
                        member_id former, time_ms now);
  effects rejoin_lobby(connection_id conn, waiting_person& person, time_ms now);
  // `who` becomes present on `conn`: a new member, or one who had left.
  member& enter(effects& out, connection_id conn, const identity& who, member* before, time_ms now);
  // Admits a connected waiting person; false (nothing changed) when the room is full.
  bool admit(effects& out, waiting_person& person, time_ms now);
  void admit_held_for_facilitator(effects& out, time_ms now);
  effects lobby_command(member& actor, const v1::LobbyCommand& command, time_ms now);
  // The subject a lobby command names, or "".
  std::string lobby_target(const v1::LobbyCommand& command);
  // A command other than LeaveRoom from someone waiting: 114, and an audit
  // note when it was a facilitator's command.
  effects refuse_waiting(const waiting_person& person, const v1::ClientMessage& message,
                         time_ms now);
  void deny_waiting(effects& out, waiting_person& person, bool ban, member& actor, time_ms now);
  void step_out(effects& out, member& target, time_ms now);
  void impose_ban(effects& out, member& actor, const identity& who, time_ms now);
  effects lobby_disconnect(waiting_person& person, time_ms now);
  effects lobby_leave(waiting_person& person, time_ms now);
  void expire_lobby(effects& out, time_ms now);
  void emit_lobby(effects& out, time_ms now);
  void emit_bans(effects& out, time_ms now);
  std::string check_lobby() const;
  // Consents (room_consent.cpp).
  v1::ConsentState consent_of(const std::string& subject, time_ms now) const;
  v1::LobbyState lobby_state(time_ms now) const;
  void withdraw_observer(effects& out, member& m, const std::string& why, time_ms now);
  void expire_consents(effects& out, time_ms now);
  // When the consent of an observer in the room runs out next.
  std::optional<time_ms> next_consent_expiry() const;

  // Worksheets (room_worksheets.cpp, room_worksheet_views.cpp,
  // room_worksheet_export.cpp).
  effects worksheet_command(member& from, connection_id conn, const v1::ClientMessage& message,
                            time_ms now);
  effects push_worksheet(member& by, connection_id conn, std::uint32_t request_id,
                         const v1::PushWorksheet& push, time_ms now);
  effects open_worksheet(member& by, connection_id conn, std::uint32_t request_id,
                         const v1::OpenWorksheet& open, time_ms now);
  // owners: (owner subject, family participant subject) per sheet to make.
  effects create_sheets(member& by, connection_id conn, std::uint32_t request_id,
                        const v1::WorksheetTemplate& form, v1::WorksheetScope scope,
                        const std::vector<std::pair<std::string, std::string>>& owners,
                        const std::string& action, time_ms now);
  void sheets_created(effects& out, pending_creation& creation, bool committed, time_ms now);
  effects submit_worksheet(member& from, connection_id conn, std::uint32_t request_id,
                           const v1::WorksheetBatch& batch, time_ms now);
  void start_batch(effects& out, sheet_entry& s, const queued_batch& q, time_ms now);
  effects share_worksheet(member& from, const v1::ShareWorksheet& share, time_ms now);
  effects worksheet_presence(member& from, const v1::WorksheetPresence& where, time_ms now);
  effects export_worksheet(member& from, const v1::ExportWorksheet& request, time_ms now);
  // room_worksheet_templates.cpp. usable_template: the current version, or
  // null with the refusal in out.reply (unknown: 104; retired: 117).
  const v1::WorksheetTemplate* usable_template(effects& out, const std::string& id) const;
  effects list_templates(const v1::ListWorksheetTemplates& request) const;
  effects save_template(member& by, connection_id conn, std::uint32_t request_id,
                        const v1::SaveWorksheetTemplate& save, time_ms now);
  effects retire_template(member& by, connection_id conn, std::uint32_t request_id,
                          const v1::RetireWorksheetTemplate& retire, time_ms now);
  void template_stored(effects& out, const pending_template& done, bool committed, time_ms now);
  void refuse_template(effects& out, const member& by, const std::string& action,
                       const std::string& id, const template_refusal& refused, time_ms now);
  void send_presence(effects& out, const member& from, const sheet_entry& s,
                     const v1::WorksheetPresence& where, time_ms now);
  // `m` is in no sheet any more (disconnected, left): its readers learn it.
  void clear_worksheet_presence(effects& out, const member& m, time_ms now);
  // Presences not refreshed for limits_.worksheet_presence are cleared.
  void expire_worksheet_presence(effects& out, time_ms now);
  std::optional<time_ms> next_presence_expiry() const;
  // Sheets other than session ones that `m` may read.
  std::vector<const sheet_entry*> readable_sheets(const member& m) const;
  // After a role change: sheets `m` gained come as WorksheetOpened, sheets
  // they lost as WorksheetSharingChanged (they forget them), both direct.
  void sheets_after_role_change(effects& out, member& m,
                                const std::vector<const sheet_entry*>& before, member_id by,
                                time_ms now);
  void emit_progress(effects& out, const sheet_entry& s, time_ms now);
  void emit_sheet(effects& out, const sheet_entry& s, const v1::Event& event, time_ms now);
  bool may_read(const member& m, const sheet_entry& s) const;
  // A member's family unit ("f" + the participant's member id), or "".
  std::string family_of(const member& m) const;
  std::string family_id(const std::string& participant_subject);
  worksheets::writer writer_of(const member& m) const;
  v1::WorksheetSheet sheet_to_wire(const sheet_entry& s) const;
  void add_worksheets(v1::RoomSnapshot& snap, const member* viewer) const;

  void emit_floor(effects& out, place& where, floor_output& floor, time_ms now);

  // Stamp and append events. emit_room: the session's news, on every room's
  // stream; emit_place: one room's own (its chat and floor).
  void emit_room(effects& out, v1::Event event, time_ms now);
  void emit_place(effects& out, place& where, v1::Event event, time_ms now);
  void emit_direct(effects& out, member& to, v1::Event event, time_ms now);
  void emit_ephemeral(effects& out, const member& except, v1::Event event, time_ms now);

  v1::Member to_wire(const member& m) const;

  std::string id_;
  room_limits limits_;
  roster roster_;
  std::map<std::uint32_t, place> places_;  // 0: the main room; then the open breakouts
  distress_book distress_;
  poll_book polls_;
  worksheet_book worksheets_;
  // Breakouts: ids are never reused, so a stale resume never matches a new
  // breakout's stream.
  std::uint32_t next_breakout_id_ = 1;
  std::optional<time_ms> breakouts_end_;
  std::optional<time_ms> breakouts_warning_;  // when the warning goes out
  bool breakouts_warned_ = false;
  bool locked_ = false;
  bool ended_ = false;
  session_plan plan_;
  v1::MuteAll newcomer_mutes_;      // what MuteAll gives people who join later
  std::optional<v1::Break> break_;  // while the facilitators called a break
  lobby lobby_;
  ban_list bans_;
  std::unordered_map<std::string, observer_consent> consents_;  // by observer subject
  // A chat a member sent with a client_msg_id, and what it got, so that a
  // retry is answered with the same result rather than applied twice.
  struct sent_chat {
    std::uint64_t client_msg_id = 0;
    std::uint32_t seq = 0;         // room scope
    std::uint32_t direct_seq = 0;  // facilitator and private scope
  };
  // A member's recent client_msg_ids (limits.dedupe_window of them) and the
  // highest ever seen: clients count their ids up, so a new chat is known new
  // without a walk of the window.
  struct chat_window {
    ring<sent_chat> sent;
    std::uint64_t highest = 0;
  };
  // By member id - 1, grown when a member first sends a client_msg_id: an
  // index, not a hash lookup, on every chat, and nothing for members who
  // never write.
  std::vector<chat_window> chat_windows_;
  static chat_record* find_chat(place& where, std::uint32_t seq);
  static const chat_record* find_chat(const place& where, std::uint32_t seq);
};

}  // namespace hearth::core
