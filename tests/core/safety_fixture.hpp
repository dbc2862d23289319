// The room of the safety tests: staff and a group of every role, commands to
// signal, acknowledge and write privately, and short ways to see who received
// what. Times are literal milliseconds.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "floor_fixture.hpp"

namespace hearth::core::testing {

inline v1::ClientMessage signal() {
  v1::ClientMessage m;
  m.mutable_signal_distress();
  return m;
}

inline v1::ClientMessage acknowledge(std::uint32_t signal_id) {
  v1::ClientMessage m;
  m.mutable_acknowledge_distress()->set_signal_id(signal_id);
  return m;
}

inline v1::ClientMessage private_chat(member_id to, const std::string& text,
                                      std::uint64_t client_msg_id = 0,
                                      v1::ChatScope scope = v1::CHAT_SCOPE_PRIVATE) {
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text(text);
  m.mutable_send_chat()->set_scope(scope);
  m.mutable_send_chat()->set_to_member_id(to);
  m.mutable_send_chat()->set_client_msg_id(client_msg_id);
  return m;
}

// Who received which event body, in order: "direct:3:distress_signal".
inline std::vector<std::string> deliveries(const effects& fx) {
  std::vector<std::string> out;
  for (const auto& e : fx.events) {
    const std::string kind = e.to.kind == audience_kind::direct        ? "direct"
                             : e.to.kind == audience_kind::room_stream ? "room"
                                                                       : "others";
    const auto* field = e.event.GetDescriptor()->FindOneofByName("body");
    const auto* body = e.event.GetReflection()->GetOneofFieldDescriptor(e.event, field);
    out.push_back(kind + ":" + std::to_string(e.to.member) + ":" +
                  (body == nullptr ? "none" : body->name()));
  }
  return out;
}

class safety_fixture : public floor_fixture {
 protected:
  // Facilitator 1, co-facilitator 2, participants 3 and 4, family member 5, observer 6.
  void staff_and_group() {
    join("f", v1::ROLE_FACILITATOR);
    join("co", v1::ROLE_CO_FACILITATOR);
    join("a", v1::ROLE_PARTICIPANT);
    join("b", v1::ROLE_PARTICIPANT);
    join("fam", v1::ROLE_FAMILY_MEMBER);
    join("o", v1::ROLE_OBSERVER);
  }

  effects run(member_id who, const v1::ClientMessage& message, time_ms now) {
    auto fx = room_.handle(conn_of_.at(who), message, now);
    check();
    return fx;
  }

  // Runs, expects `code`, and that nothing at all changed; a refusal for
  // the member's role or state (103) is on record as denied, nothing else is.
  void refused(member_id who, const v1::ClientMessage& message, time_ms now, v1::ErrorCode code) {
    const auto head = room_.head_seq();
    std::map<member_id, std::uint32_t> direct;
    std::map<member_id, std::string> snapshots;
    for (const member* m : room_.people().active_members()) {
      direct[m->id] = room_.direct_head(m->id);
      snapshots[m->id] = room_.snapshot(m->id, now).SerializeAsString();
    }
    auto fx = run(who, message, now);
    ASSERT_TRUE(fx.reply && fx.reply->has_error());
    EXPECT_EQ(fx.reply->error().code(), code) << fx.reply->error().message();
    EXPECT_TRUE(fx.events.empty());
    EXPECT_FALSE(fx.attendance_asked);
    if (code == v1::ERROR_CODE_PERMISSION_DENIED) {
      ASSERT_EQ(fx.audit.size(), 1U);
      EXPECT_EQ(fx.audit[0].outcome, "denied");
      EXPECT_EQ(fx.audit[0].actor, room_.people().find(who)->who.subject);
      EXPECT_EQ(fx.audit[0].action, command_action(message));
    } else {
      EXPECT_TRUE(fx.audit.empty());
    }
    EXPECT_EQ(room_.head_seq(), head);
    for (const auto& [id, seq] : direct) {
      EXPECT_EQ(room_.direct_head(id), seq) << "member " << id;
      EXPECT_EQ(room_.snapshot(id, now).SerializeAsString(), snapshots[id]) << "member " << id;
    }
  }

  // Every active member's direct-stream head (facilitators' include the
  // lobby events of the observer's admission).
  std::map<member_id, std::uint32_t> direct_heads() const {
    std::map<member_id, std::uint32_t> out;
    for (const member* m : room_.people().active_members()) {
      out[m->id] = room_.direct_head(m->id);
    }
    return out;
  }

  std::vector<std::uint32_t> open_in_snapshot(member_id viewer, time_ms now = 0) const {
    std::vector<std::uint32_t> out;
    const auto snap = room_.snapshot(viewer, now);
    for (const auto& s : snap.open_distress()) {
      out.push_back(s.signal_id());
    }
    return out;
  }
};

}  // namespace hearth::core::testing
