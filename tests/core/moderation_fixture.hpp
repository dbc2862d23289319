// The room of the moderation tests: the safety tests' cast (facilitator 1,
// co-facilitator 2, participants 3 and 4, family member 5, observer 6),
// moderation command builders, and checks that a command succeeded or was
// refused for authority without changing anything. Times are literal ms.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "safety_fixture.hpp"

namespace hearth::core::testing {
namespace mod {

inline v1::ClientMessage wrap(v1::Moderation m) {
  v1::ClientMessage out;
  *out.mutable_moderation() = std::move(m);
  return out;
}
inline v1::ClientMessage mute(member_id m, bool chat = true, bool floor = true) {
  v1::Moderation c;
  c.mutable_mute()->set_member_id(m);
  c.mutable_mute()->set_chat(chat);
  c.mutable_mute()->set_floor(floor);
  return wrap(c);
}
inline v1::ClientMessage unmute(member_id m, bool chat = true, bool floor = true) {
  v1::Moderation c;
  c.mutable_unmute()->set_member_id(m);
  c.mutable_unmute()->set_chat(chat);
  c.mutable_unmute()->set_floor(floor);
  return wrap(c);
}
inline v1::ClientMessage mute_all(bool chat = true, bool floor = true, bool self_unmute = false) {
  v1::Moderation c;
  c.mutable_mute_all()->set_chat(chat);
  c.mutable_mute_all()->set_floor(floor);
  c.mutable_mute_all()->set_allow_self_unmute(self_unmute);
  return wrap(c);
}
inline v1::ClientMessage unmute_all() {
  v1::Moderation c;
  c.mutable_unmute_all();
  return wrap(c);
}
inline v1::ClientMessage unmute_self() {
  v1::Moderation c;
  c.mutable_unmute_self();
  return wrap(c);
}
inline v1::ClientMessage remove(member_id m) {
  v1::Moderation c;
  c.mutable_remove()->set_member_id(m);
  return wrap(c);
}
inline v1::ClientMessage lock() {
  v1::Moderation c;
  c.mutable_lock();
  return wrap(c);
}
inline v1::ClientMessage unlock() {
  v1::Moderation c;
  c.mutable_unlock();
  return wrap(c);
}
inline v1::ClientMessage end_session() {
  v1::Moderation c;
  c.mutable_end_session();
  return wrap(c);
}
inline v1::ClientMessage delete_chat(std::uint32_t seq) {
  v1::Moderation c;
  c.mutable_delete_chat()->set_seq(seq);
  return wrap(c);
}
inline v1::ClientMessage set_role(member_id m, v1::Role role) {
  v1::Moderation c;
  c.mutable_set_role()->set_member_id(m);
  c.mutable_set_role()->set_role(role);
  return wrap(c);
}
inline v1::ClientMessage ban(member_id m) {
  v1::Moderation c;
  c.mutable_ban()->set_member_id(m);
  return wrap(c);
}
inline v1::ClientMessage unban(std::uint32_t ban_id) {
  v1::Moderation c;
  c.mutable_unban()->set_ban_id(ban_id);
  return wrap(c);
}
inline v1::ClientMessage lobby(v1::LobbyCommand command) {
  v1::ClientMessage out;
  *out.mutable_lobby() = std::move(command);
  return out;
}
inline v1::ClientMessage admit(std::uint32_t waiting_id) {
  v1::LobbyCommand c;
  c.mutable_admit()->set_waiting_id(waiting_id);
  return lobby(c);
}
inline v1::ClientMessage admit_all() {
  v1::LobbyCommand c;
  c.mutable_admit_all();
  return lobby(c);
}
inline v1::ClientMessage deny(std::uint32_t waiting_id, bool ban = false) {
  v1::LobbyCommand c;
  c.mutable_deny()->set_waiting_id(waiting_id);
  c.mutable_deny()->set_ban(ban);
  return lobby(c);
}
inline v1::ClientMessage deny_all() {
  v1::LobbyCommand c;
  c.mutable_deny_all();
  return lobby(c);
}
inline v1::ClientMessage lobby_message(const std::string& text) {
  v1::LobbyCommand c;
  c.mutable_set_message()->set_text(text);
  return lobby(c);
}
inline v1::ClientMessage step_out(member_id m) {
  v1::LobbyCommand c;
  c.mutable_step_out()->set_member_id(m);
  return lobby(c);
}
inline v1::ClientMessage chat(const std::string& text) {
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text(text);
  return m;
}

}  // namespace mod

class moderation_fixture : public safety_fixture {
 protected:
  using floor_fixture::refused;   // floor commands
  using safety_fixture::refused;  // any client message

  // A fresh room with nobody in it.
  void reset() {
    room_ = room("r1", limits());
    conn_of_.clear();
    next_conn_ = 1;
  }

  // Runs, expects a ModerationResult carrying the head.
  effects moderate(member_id who, const v1::ClientMessage& message, time_ms now) {
    auto fx = run(who, message, now);
    EXPECT_TRUE(fx.reply && fx.reply->has_moderation())
        << (fx.reply && fx.reply->has_error() ? fx.reply->error().message() : "no reply");
    if (fx.reply && fx.reply->has_moderation()) {
      EXPECT_EQ(fx.reply->moderation().seq(), room_.head_seq());
    }
    return fx;
  }

  // Runs, expects 103, nothing changed for anyone, and one audit note with
  // outcome "denied", `action` and `target` (a subject).
  void denied(member_id who, const v1::ClientMessage& message, time_ms now,
              const std::string& action, const std::string& target) {
    const auto head = room_.head_seq();
    std::map<member_id, std::uint32_t> direct;
    std::map<member_id, std::string> snapshots;
    for (const member* m : room_.people().active_members()) {
      direct[m->id] = room_.direct_head(m->id);
      snapshots[m->id] = room_.snapshot(m->id, now).SerializeAsString();
    }
    auto fx = run(who, message, now);
    ASSERT_TRUE(fx.reply && fx.reply->has_error());
    EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_PERMISSION_DENIED)
        << fx.reply->error().message();
    EXPECT_TRUE(fx.events.empty());
    EXPECT_TRUE(fx.closes.empty());
    EXPECT_TRUE(fx.attendance.empty());
    EXPECT_EQ(room_.head_seq(), head);
    for (const auto& [id, seq] : direct) {
      EXPECT_EQ(room_.direct_head(id), seq) << "member " << id;
      EXPECT_EQ(room_.snapshot(id, now).SerializeAsString(), snapshots[id]) << "member " << id;
    }
    ASSERT_EQ(fx.audit.size(), 1U);
    const member* actor = room_.people().find(who);
    EXPECT_EQ(fx.audit[0].actor, actor->who.subject);
    EXPECT_EQ(fx.audit[0].actor_role, actor->who.role);
    EXPECT_EQ(fx.audit[0].action, action);
    EXPECT_EQ(fx.audit[0].target, target);
    EXPECT_EQ(fx.audit[0].outcome, "denied");
    EXPECT_EQ(fx.audit[0].at, now);
  }

  // A room chat from `who`; returns its seq.
  std::uint32_t say(member_id who, const std::string& text, time_ms now) {
    auto fx = run(who, mod::chat(text), now);
    EXPECT_TRUE(fx.reply && fx.reply->has_chat());
    return fx.reply && fx.reply->has_chat() ? fx.reply->chat().seq() : 0;
  }

  const member& who(member_id id) const { return *room_.people().find(id); }

  std::vector<std::uint32_t> recent_chat_seqs(member_id viewer, time_ms now = 0) const {
    std::vector<std::uint32_t> out;
    const auto snap = room_.snapshot(viewer, now);
    for (const auto& chat : snap.recent_chat()) {
      out.push_back(chat.seq());
    }
    return out;
  }
};

}  // namespace hearth::core::testing
