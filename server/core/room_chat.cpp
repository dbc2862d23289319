// Chat in the room core: room, facilitator and private scope, retries, the
// recent room chat kept for snapshots, and typing signals.
#include <algorithm>
#include <utility>

#include "core/room.hpp"

namespace hearth::core {

effects room::send_chat(member& from, const v1::SendChat& chat, time_ms now) {
  effects out;
  chat_window* window = nullptr;
  if (chat.client_msg_id() != 0) {
    if (chat_windows_.size() < from.id) {
      chat_windows_.resize(from.id);
    }
    window = &chat_windows_[from.id - 1];
  }
  if (window != nullptr && chat.client_msg_id() <= window->highest) {
    auto it = std::find_if(window->sent.begin(), window->sent.end(), [&](const sent_chat& entry) {
      return entry.client_msg_id == chat.client_msg_id();
    });
    if (it != window->sent.end()) {
      out.reply.emplace();
      auto* again = out.reply->mutable_chat();
      again->set_seq(it->seq);
      again->set_direct_seq(it->direct_seq);
      again->set_duplicate(true);
      return out;
    }
  }
  if (chat.text().empty()) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "chat text is empty");
    return out;
  }
  if (chat.text().size() > limits_.max_chat_bytes) {
    out.reply = error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "chat text is too long");
    return out;
  }
  const v1::ChatScope scope =
      chat.scope() == v1::CHAT_SCOPE_UNSPECIFIED ? v1::CHAT_SCOPE_ROOM : chat.scope();
  if (scope != v1::CHAT_SCOPE_ROOM && scope != v1::CHAT_SCOPE_FACILITATORS &&
      scope != v1::CHAT_SCOPE_PRIVATE) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "unknown chat scope");
    return out;
  }
  member* recipient = nullptr;
  if (scope == v1::CHAT_SCOPE_PRIVATE) {
    v1::Reply refused;
    recipient = private_recipient(from, chat.to_member_id(), refused);
    if (recipient == nullptr) {
      out.reply = std::move(refused);
      return out;
    }
  } else if (chat.to_member_id() != 0) {
    out.reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "to_member_id needs the private scope");
    return out;
  }
  // Observers watch; they may write to the facilitators (either private
  // scope) but not to the room.
  if (scope == v1::CHAT_SCOPE_ROOM && from.who.role == v1::ROLE_OBSERVER) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "observers cannot chat to the room");
    return out;
  }
  if (scope == v1::CHAT_SCOPE_ROOM && plan_.chat_policy == v1::CHAT_POLICY_OFF) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED,
                            "room chat is off in this session; write to a facilitator privately");
    return out;
  }
  if (scope == v1::CHAT_SCOPE_ROOM && plan_.chat_policy == v1::CHAT_POLICY_FACILITATORS_ONLY &&
      !is_facilitator(from.who.role)) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED,
                            "only facilitators write to the room in this session; write to "
                            "them privately");
    return out;
  }
  // A member muted for chat can still always reach the staff privately.
  if (scope == v1::CHAT_SCOPE_ROOM && from.chat_muted) {
    out.reply = error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "you are muted for room chat");
    return out;
  }

  v1::Event e;
  auto* message = e.mutable_chat();
  message->set_from_member_id(from.id);
  message->set_text(chat.text());
  message->set_scope(scope);
  message->set_sent_at_ms(static_cast<std::uint64_t>(now));

  v1::ChatResult result;
  if (scope == v1::CHAT_SCOPE_ROOM) {
    // The room the sender is in: the main room or their breakout.
    place& where = place_of(from);
    where.recent_chat.keep(*message, where.seq + 1);  // the seq emit_place gives the event
    emit_place(out, where, std::move(e), now);
    result.set_seq(where.seq);
    where.chats.push_back({where.seq, from.id, false});
    while (where.chats.size() > limits_.deletable_chats) {
      where.chats.pop_front();
    }
    if (plan_.keep_chat) {
      out.kept_chat.push_back({kept_chat_change::kind::sent, where.seq, where.id, from.who.subject,
                               from.who.role, chat.text(), now});
    }
  } else if (recipient != nullptr) {
    message->set_to_member_id(recipient->id);
    emit_direct(out, *recipient, e, now);
    emit_direct(out, from, std::move(e), now);  // the sender's own copy
    result.set_direct_seq(from.direct_seq);
  } else {
    auto staff = roster_.facilitators();
    if (staff.empty() || (staff.size() == 1 && staff.front()->id == from.id)) {
      out.reply = error_reply(v1::ERROR_CODE_NOT_FOUND, "no other facilitator is in the room",
                              /*temporary=*/true);
      return out;
    }
    for (member* f : staff) {
      if (f->id != from.id) {
        emit_direct(out, *f, e, now);
      }
    }
    emit_direct(out, from, std::move(e), now);  // the sender's own copy
    result.set_direct_seq(from.direct_seq);
  }

  if (window != nullptr) {
    window->sent.push_back({chat.client_msg_id(), result.seq(), result.direct_seq()});
    while (window->sent.size() > limits_.dedupe_window) {
      window->sent.pop_front();
    }
    window->highest = std::max(window->highest, chat.client_msg_id());
  }
  out.reply.emplace();
  *out.reply->mutable_chat() = result;
  return out;
}

room::chat_record* room::find_chat(place& where, std::uint32_t seq) {
  auto it = std::lower_bound(where.chats.begin(), where.chats.end(), seq,
                             [](const chat_record& r, std::uint32_t s) { return r.seq < s; });
  return it == where.chats.end() || it->seq != seq ? nullptr : &*it;
}

const room::chat_record* room::find_chat(const place& where, std::uint32_t seq) {
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast)
  return find_chat(const_cast<place&>(where), seq);
}

effects room::typing(const member& from, bool active, time_ms now) {
  effects out;
  // Someone who may not write to the room does not show as writing.
  if (from.chat_muted || from.who.role == v1::ROLE_OBSERVER ||
      plan_.chat_policy == v1::CHAT_POLICY_OFF ||
      (plan_.chat_policy == v1::CHAT_POLICY_FACILITATORS_ONLY && !is_facilitator(from.who.role))) {
    return out;
  }
  v1::Event e;
  e.mutable_typing()->set_member_id(from.id);
  e.mutable_typing()->set_active(active);
  emit_ephemeral(out, from, std::move(e), now);
  return out;
}

}  // namespace hearth::core
