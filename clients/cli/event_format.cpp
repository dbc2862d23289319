// Readable one-line rendering of protocol messages for the terminal client.
#include "event_format.hpp"

#include <cctype>

#include "lobby_format.hpp"

namespace hearth::cli {

std::string role_label(v1::Role role) {
  switch (role) {
    case v1::ROLE_FACILITATOR:
      return "facilitator";
    case v1::ROLE_CO_FACILITATOR:
      return "co_facilitator";
    case v1::ROLE_PARTICIPANT:
      return "participant";
    case v1::ROLE_FAMILY_MEMBER:
      return "family_member";
    case v1::ROLE_OBSERVER:
      return "observer";
    default:
      return "unknown";
  }
}

std::string presence_label(v1::Presence presence) {
  switch (presence) {
    case v1::PRESENCE_PRESENT:
      return "present";
    case v1::PRESENCE_RECONNECTING:
      return "reconnecting";
    case v1::PRESENCE_LEFT:
      return "left";
    default:
      return "unknown";
  }
}

std::string event_formatter::who(std::uint32_t member_id) const {
  auto it = names_.find(member_id);
  const std::string name = it == names_.end() ? "?" : it->second;
  return name + "#" + std::to_string(member_id);
}

void event_formatter::learn(const v1::Member& member) {
  names_[member.member_id()] = member.display_name();
  if (member.member_id() == self_) {
    self_role_ = member.role();
  }
}

std::string event_formatter::format(const v1::ServerMessage& message) {
  switch (message.kind_case()) {
    case v1::ServerMessage::kReply:
      return format_reply(message.reply());
    case v1::ServerMessage::kEvent:
      return format_event(message.event());
    case v1::ServerMessage::kPing:
      return {};
    case v1::ServerMessage::kDisconnect:
      return "disconnect code=" + std::to_string(message.disconnect().code()) +
             " reconnect=" + (message.disconnect().reconnect() ? "yes" : "no") +
             " reason=" + message.disconnect().reason();
    case v1::ServerMessage::kLobby:
      return format_lobby_status(message.lobby());
    case v1::ServerMessage::kAdmitted:
      return "admitted; " + format_join(message.admitted().join());
    case v1::ServerMessage::kMoved:
      return "moved to breakout=" + std::to_string(message.moved().join().breakout_id()) + "; " +
             format_join(message.moved().join());
    case v1::ServerMessage::KIND_NOT_SET:
      break;
  }
  return "unknown message";
}

std::string event_formatter::format_join(const v1::JoinResult& join) {
  if (join.has_lobby()) {
    return "lobby room=" + join.room_id() + " " + format_lobby_status(join.lobby());
  }
  self_ = join.member_id();
  std::string line =
      "joined room=" + join.room_id() + " epoch=" + join.epoch() +
      " head=" + std::to_string(join.head_seq()) +
      " direct_head=" + std::to_string(join.direct_head_seq()) +
      " member=" + std::to_string(join.member_id()) +
      " recovered=" + (join.recovered() ? "yes" : "no") +
      (join.breakout_id() != 0 ? " breakout=" + std::to_string(join.breakout_id()) : std::string());
  if (join.has_snapshot()) {
    const auto& snap = join.snapshot();
    for (const auto& m : snap.members()) {
      learn(m);
      line += "\nmember " + who(m.member_id()) + " role=" + role_label(m.role()) +
              " presence=" + presence_label(m.presence()) +
              muted_label(m.chat_muted(), m.floor_muted(), m.may_unmute_self());
    }
    for (const auto& chat : snap.recent_chat()) {
      line += "\nhistory [" + std::to_string(chat.seq()) + "] chat " + who(chat.from_member_id()) +
              ": " + chat.text();
    }
    if (snap.locked()) {
      line += "\nroom locked";
    }
    if (snap.has_breakouts()) {
      line += "\nbreakouts " + format_breakouts(snap.breakouts());
    }
    line += "\nfloor " + format_floor(snap.floor());
    if (snap.has_airtime()) {
      line += "\n" + format_airtime(snap.airtime());
    }
    for (const auto& signal : snap.open_distress()) {
      line += "\n" + format_distress(signal);
    }
    if (snap.has_lobby() && (snap.lobby().waiting_size() != 0 || !snap.lobby().message().empty())) {
      line += "\n" + format_lobby_state(snap.lobby());
    }
    if (snap.bans_size() != 0) {
      line += "\n" + format_bans(snap.bans());
    }
    for (const auto& poll : snap.polls()) {
      line += "\n" + format_poll_state(poll);
    }
  }
  return line;
}

std::string event_formatter::format_reply(const v1::Reply& reply) {
  const std::string id = "reply " + std::to_string(reply.request_id()) + " ";
  switch (reply.outcome_case()) {
    case v1::Reply::kError:
      return id + "error code=" + std::to_string(reply.error().code()) +
             " name=" + v1::ErrorCode_Name(reply.error().code()) +
             " temporary=" + (reply.error().temporary() ? "yes" : "no") +
             " message=" + reply.error().message();
    case v1::Reply::kHello:
      return id + "hello room=" + reply.hello().room_id() +
             " role=" + role_label(reply.hello().role());
    case v1::Reply::kJoin:
      return id + format_join(reply.join());
    case v1::Reply::kLeave:
      return id + "left";
    case v1::Reply::kChat:
      return id + "chat seq=" + std::to_string(reply.chat().seq()) +
             " direct_seq=" + std::to_string(reply.chat().direct_seq()) +
             (reply.chat().duplicate() ? " duplicate" : "");
    case v1::Reply::kFloor:
      return id + "floor seq=" + std::to_string(reply.floor().seq()) +
             (reply.floor().has_airtime() ? " " + format_airtime(reply.floor().airtime()) : "");
    case v1::Reply::kDistress:
      return id + "distress signal=" + std::to_string(reply.distress().signal_id()) +
             (reply.distress().duplicate() ? " duplicate" : "");
    case v1::Reply::kModeration:
      return id + "moderation seq=" + std::to_string(reply.moderation().seq());
    case v1::Reply::kLobby:
      return id + "lobby admitted=" + std::to_string(reply.lobby().admitted()) +
             " denied=" + std::to_string(reply.lobby().denied());
    case v1::Reply::kPoll:
      return id + "poll id=" + std::to_string(reply.poll().poll_id()) +
             " seq=" + std::to_string(reply.poll().seq()) +
             " direct_seq=" + std::to_string(reply.poll().direct_seq()) +
             (reply.poll().duplicate() ? " duplicate" : "");
    case v1::Reply::kWorksheet:
      return id + format_worksheet_result(reply.worksheet());
    case v1::Reply::kBreakout:
      return id + "breakout seq=" + std::to_string(reply.breakout().seq()) +
             " direct_seq=" + std::to_string(reply.breakout().direct_seq());
    case v1::Reply::kAttendance:
      return id + format_attendance(reply.attendance());
    case v1::Reply::OUTCOME_NOT_SET:
      break;
  }
  return id + "empty";
}

std::string event_formatter::format_event(const v1::Event& event) {
  const std::string position = event.seq() != 0 ? "[" + std::to_string(event.seq()) + "] "
                               : event.direct_seq() != 0
                                   ? "[d" + std::to_string(event.direct_seq()) + "] "
                                   : "[~] ";
  switch (event.body_case()) {
    case v1::Event::kMemberJoined: {
      const auto& m = event.member_joined().member();
      learn(m);
      return position + "joined " + who(m.member_id()) + " role=" + role_label(m.role());
    }
    case v1::Event::kMemberPresence:
      return position + "presence " + who(event.member_presence().member_id()) + " " +
             presence_label(event.member_presence().presence());
    case v1::Event::kMemberLeft:
      return position + "left " + who(event.member_left().member_id()) +
             " reason=" + v1::LeaveReason_Name(event.member_left().reason());
    case v1::Event::kChat: {
      const auto& chat = event.chat();
      if (chat.scope() == v1::CHAT_SCOPE_PRIVATE) {
        return position + "private " + who(chat.from_member_id()) + " -> " +
               who(chat.to_member_id()) + ": " + chat.text();
      }
      const std::string kind = chat.scope() == v1::CHAT_SCOPE_FACILITATORS ? "private " : "chat ";
      return position + kind + who(chat.from_member_id()) + ": " + chat.text();
    }
    case v1::Event::kTyping:
      return position + "typing " + who(event.typing().member_id()) +
             (event.typing().active() ? " on" : " off");
    case v1::Event::kFloor: {
      const auto& change = event.floor();
      std::string line = position + "floor " + floor_change_label(change.kind());
      if (change.subject_member_id() != 0) {
        line += " " + who(change.subject_member_id());
      }
      if (change.actor_member_id() != 0 && change.actor_member_id() != change.subject_member_id()) {
        line += " by " + who(change.actor_member_id());
      }
      return line + " | " + format_floor(change.state());
    }
    case v1::Event::kRoundSummary: {
      const auto& summary = event.round_summary();
      std::string line = position + "round " + std::to_string(summary.round_id()) + " summary " +
                         v1::RoundEndReason_Name(summary.reason());
      for (const auto& entry : summary.entries()) {
        line += " " + who(entry.member_id()) + "=" + outcome_label(entry.outcome()) + "/" +
                std::to_string(entry.duration_ms()) + "ms";
      }
      return line;
    }
    case v1::Event::kAirtime:
      return position + format_airtime(event.airtime());
    case v1::Event::kDistressSignal:
      return position + format_distress(event.distress_signal());
    case v1::Event::kDistressAcknowledged: {
      const auto& ack = event.distress_acknowledged();
      return position + "distress signal=" + std::to_string(ack.signal_id()) + " acknowledged by " +
             who(ack.by_member_id());
    }
    case v1::Event::kMemberModeration: {
      const auto& state = event.member_moderation();
      const std::string muted =
          muted_label(state.chat_muted(), state.floor_muted(), state.may_unmute_self());
      return position + "moderation " + who(state.member_id()) +
             (muted.empty() ? " unmuted" : muted) +
             (state.member_id() == self_ && state.may_unmute_self() ? " (/unmute to unmute)" : "");
    }
    case v1::Event::kRoomLocked:
      return position + (event.room_locked().locked() ? "room locked" : "room unlocked");
    case v1::Event::kChatDeleted:
      return position + "chat [" + std::to_string(event.chat_deleted().seq()) +
             "] deleted by a facilitator";
    case v1::Event::kMemberRoleChanged:
      if (event.member_role_changed().member_id() == self_) {
        self_role_ = event.member_role_changed().role();
      }
      return position + "role " + who(event.member_role_changed().member_id()) + " " +
             role_label(event.member_role_changed().role());
    case v1::Event::kBreakChanged: {
      const auto& b = event.break_changed().break_state();
      if (!b.active()) {
        return position + "break over" +
               (event.break_changed().by_member_id() == 0
                    ? std::string(" (countdown ended)")
                    : " by " + who(event.break_changed().by_member_id()));
      }
      return position + "break by " + who(event.break_changed().by_member_id()) +
             (b.ends_at_ms() == 0 ? std::string(" until a facilitator ends it")
                                  : " until " + std::to_string(b.ends_at_ms()));
    }
    case v1::Event::kLobbyChanged:
      return position + format_lobby_state(event.lobby_changed().lobby());
    case v1::Event::kBansChanged:
      return position + format_bans(event.bans_changed().bans());
    case v1::Event::kPollStarted:
      return position + format_poll_started(event.poll_started());
    case v1::Event::kPollAnswer:
      return position + format_poll_answer(event.poll_answer());
    case v1::Event::kPollClosed:
      return position + format_poll_closed(event.poll_closed(), event.direct_seq() != 0);
    case v1::Event::kWorksheetOpened:
    case v1::Event::kWorksheetCommitted:
    case v1::Event::kWorksheetSharing:
    case v1::Event::kWorksheetPresence:
    case v1::Event::kWorksheetProgress:
      return position + format_worksheet_event(event);
    case v1::Event::kBreakoutsChanged:
    case v1::Event::kBreakoutBroadcast:
    case v1::Event::kFacilitatorCalled:
      return position + format_breakout_event(event);
    case v1::Event::BODY_NOT_SET:
      break;
  }
  return position + "unknown event";
}

std::string event_formatter::format_floor(const v1::FloorState& state) const {
  std::string line = "mode=" + mode_label(state.mode());
  if (state.has_turn()) {
    const auto& turn = state.turn();
    line += " holder=" + who(turn.member_id());
    if (turn.deadline_ms() != 0) {
      line += " deadline=" + std::to_string(turn.deadline_ms());
    }
    if (turn.overdue()) {
      line += " overdue";
    }
  }
  if (state.hands_size() > 0) {
    line += " hands=";
    for (int i = 0; i < state.hands_size(); ++i) {
      line += (i == 0 ? "" : ",") + who(state.hands(i).member_id());
    }
  }
  if (state.has_round()) {
    line += " round=" + std::to_string(state.round().round_id()) + "[";
    for (int i = 0; i < state.round().entries_size(); ++i) {
      const auto& entry = state.round().entries(i);
      line += (i == 0 ? "" : " ") + who(entry.member_id()) + ":" + outcome_label(entry.outcome());
    }
    line += "]";
  }
  if (state.paused() != v1::PAUSE_REASON_UNSPECIFIED) {
    line += " paused";
  }
  return line;
}

std::string event_formatter::format_airtime(const v1::AirtimeReport& report) const {
  std::string line = "airtime";
  for (const auto& a : report.members()) {
    line += " " + who(a.member_id()) + "=" + std::to_string(a.floor_ms()) + "ms/" +
            std::to_string(a.turns());
  }
  return line;
}

std::string event_formatter::format_distress(const v1::DistressSignal& signal) const {
  const std::string id = std::to_string(signal.signal_id());
  if (signal.from_member_id() == self_) {
    return "distress signal=" + id + " open: the facilitators have been alerted";
  }
  return "!!! DISTRESS signal=" + id + " from " + who(signal.from_member_id()) +
         " raised_at=" + std::to_string(signal.raised_at_ms()) + " (/ack " + id + ")";
}

std::string muted_label(bool chat, bool floor, bool may_unmute_self) {
  if (!chat && !floor) {
    return {};
  }
  return std::string(" muted=") +
         (chat && floor ? "chat,floor"
          : chat        ? "chat"
                        : "floor") +
         (may_unmute_self ? " may_unmute_self" : "");
}

std::string mode_label(v1::FloorMode mode) {
  switch (mode) {
    case v1::FLOOR_MODE_OPEN:
      return "open";
    case v1::FLOOR_MODE_MODERATED:
      return "moderated";
    case v1::FLOOR_MODE_ROUND:
      return "round";
    case v1::FLOOR_MODE_TALKING_PIECE:
      return "talking_piece";
    default:
      return "unknown";
  }
}

namespace {

// "TURN_OUTCOME_PASSED" -> "passed".
std::string enum_label(const std::string& name, const std::string& prefix) {
  std::string out = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::string outcome_label(v1::TurnOutcome outcome) {
  return enum_label(v1::TurnOutcome_Name(outcome), "TURN_OUTCOME_");
}

std::string floor_change_label(v1::FloorChangeKind kind) {
  return enum_label(v1::FloorChangeKind_Name(kind), "FLOOR_CHANGE_");
}

}  // namespace hearth::cli
