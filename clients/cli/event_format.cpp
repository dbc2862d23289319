// Readable one-line rendering of protocol messages for the terminal client.
#include "event_format.hpp"

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
    case v1::ServerMessage::KIND_NOT_SET:
      break;
  }
  return "unknown message";
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
    case v1::Reply::kJoin: {
      const auto& join = reply.join();
      std::string line = id + "joined room=" + join.room_id() + " epoch=" + join.epoch() +
                         " head=" + std::to_string(join.head_seq()) +
                         " direct_head=" + std::to_string(join.direct_head_seq()) +
                         " member=" + std::to_string(join.member_id()) +
                         " recovered=" + (join.recovered() ? "yes" : "no");
      if (join.has_snapshot()) {
        for (const auto& m : join.snapshot().members()) {
          learn(m);
          line += "\nmember " + who(m.member_id()) + " role=" + role_label(m.role()) +
                  " presence=" + presence_label(m.presence());
        }
        for (const auto& chat : join.snapshot().recent_chat()) {
          line += "\nhistory chat " + who(chat.from_member_id()) + ": " + chat.text();
        }
      }
      return line;
    }
    case v1::Reply::kLeave:
      return id + "left";
    case v1::Reply::kChat:
      return id + "chat seq=" + std::to_string(reply.chat().seq()) +
             " direct_seq=" + std::to_string(reply.chat().direct_seq()) +
             (reply.chat().duplicate() ? " duplicate" : "");
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
      const std::string kind = chat.scope() == v1::CHAT_SCOPE_FACILITATORS ? "private " : "chat ";
      return position + kind + who(chat.from_member_id()) + ": " + chat.text();
    }
    case v1::Event::kTyping:
      return position + "typing " + who(event.typing().member_id()) +
             (event.typing().active() ? " on" : " off");
    case v1::Event::BODY_NOT_SET:
      break;
  }
  return position + "unknown event";
}

}  // namespace hearth::cli
