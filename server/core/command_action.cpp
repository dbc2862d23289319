// The audit trail's name for each command a client may send, so that any
// refusal can be put on record without what the command carried.
#include <google/protobuf/descriptor.h>

#include "core/moderation.hpp"
#include "core/room.hpp"

namespace hearth::core {

std::string lobby_action(const v1::LobbyCommand& command) {
  switch (command.action_case()) {
    case v1::LobbyCommand::kAdmit:
      return "admit";
    case v1::LobbyCommand::kAdmitAll:
      return "admit_all";
    case v1::LobbyCommand::kDeny:
      return command.deny().ban() ? "ban" : "deny";
    case v1::LobbyCommand::kDenyAll:
      return "deny_all";
    case v1::LobbyCommand::kSetMessage:
      return "lobby_message";
    case v1::LobbyCommand::kStepOut:
      return "step_out";
    case v1::LobbyCommand::ACTION_NOT_SET:
      break;
  }
  return {};
}

std::string command_action(const v1::ClientMessage& message) {
  switch (message.command_case()) {
    case v1::ClientMessage::kSendChat:
      return "chat";
    case v1::ClientMessage::kTyping:
      return "typing";
    case v1::ClientMessage::kLeaveRoom:
      return "leave";
    case v1::ClientMessage::kFloor: {
      // "floor_grant_floor", "floor_start_round": the action's field name.
      const auto* field = v1::FloorCommand::descriptor()->FindFieldByNumber(
          static_cast<int>(message.floor().action_case()));
      return field == nullptr ? "floor" : "floor_" + field->name();
    }
    case v1::ClientMessage::kSignalDistress:
      return "distress_signaled";
    case v1::ClientMessage::kAcknowledgeDistress:
      return "distress_acknowledged";
    case v1::ClientMessage::kModeration:
      return audit_action(message.moderation());
    case v1::ClientMessage::kLobby:
      return lobby_action(message.lobby());
    case v1::ClientMessage::kPoll:
      return message.poll().has_start()   ? "poll_started"
             : message.poll().has_close() ? "poll_closed"
                                          : "poll_answered";
    case v1::ClientMessage::kBreakout:
      return breakout_action(message.breakout());
    case v1::ClientMessage::kWorksheet: {
      // "worksheet_submit", "worksheet_push": the command's field name.
      const auto* field = v1::WorksheetCommand::descriptor()->FindFieldByNumber(
          static_cast<int>(message.worksheet().kind_case()));
      return field == nullptr ? "worksheet" : "worksheet_" + field->name();
    }
    case v1::ClientMessage::kAttendance:
      return "attendance_viewed";
    case v1::ClientMessage::kHello:
    case v1::ClientMessage::kJoinRoom:
    case v1::ClientMessage::kPong:
    case v1::ClientMessage::COMMAND_NOT_SET:
      break;
  }
  return "command";
}

}  // namespace hearth::core
