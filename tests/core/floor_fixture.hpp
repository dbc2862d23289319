// A room with a facilitator and participants, and short ways to send floor
// commands and read what the floor reported. Times are literal milliseconds.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/room.hpp"

namespace hearth::core::testing {

inline identity person(const std::string& subject, v1::Role role) {
  return identity{subject, "name-" + subject, "r1", role};
}

class floor_fixture : public ::testing::Test {
 protected:
  floor_fixture() : room_("r1", limits()) {}

  static room_limits limits() {
    room_limits l;
    l.max_members = 20;
    l.reconnect_grace = 15'000;
    l.max_turn = 600'000;
    return l;
  }

  // Member ids are given in join order from 1. Observers always wait in the
  // lobby: the first facilitator present admits them.
  member_id join(const std::string& subject, v1::Role role, time_ms now = 0) {
    const auto conn = next_conn_++;
    auto fx = room_.join(conn, person(subject, role), now);
    EXPECT_TRUE(fx.reply && fx.reply->has_join());
    member_id id = fx.reply->join().member_id();
    if (fx.reply->join().has_lobby()) {
      id = admit(fx.reply->join().lobby().waiting_id(), now);
    }
    conn_of_[id] = conn;
    check();
    return id;
  }

  // A facilitator present admits waiting person `waiting_id` (attesting an
  // observer's consent); their member id.
  member_id admit(std::uint32_t waiting_id, time_ms now) {
    for (const member* m : room_.people().active_members()) {
      if (m->who.role == v1::ROLE_FACILITATOR && m->connection) {
        v1::ClientMessage admit;
        admit.mutable_lobby()->mutable_admit()->set_waiting_id(waiting_id);
        admit.mutable_lobby()->mutable_admit()->set_attest_consent(true);
        auto fx = room_.handle(*m->connection, admit, now);
        EXPECT_EQ(fx.admitted.size(), 1U);
        return fx.admitted.empty() ? 0 : fx.admitted[0].member;
      }
    }
    ADD_FAILURE() << "nobody present can admit from the lobby";
    return 0;
  }

  // The standard cast: facilitator 1, participants 2, 3, 4.
  void cast() {
    join("f", v1::ROLE_FACILITATOR);
    join("a", v1::ROLE_PARTICIPANT);
    join("b", v1::ROLE_PARTICIPANT);
    join("c", v1::ROLE_PARTICIPANT);
  }

  effects send(member_id who, const v1::FloorCommand& command, time_ms now) {
    v1::ClientMessage m;
    *m.mutable_floor() = command;
    last_ = room_.handle(conn_of_.at(who), m, now);
    check();
    return last_;
  }

  // Sends and expects success.
  effects ok(member_id who, const v1::FloorCommand& command, time_ms now) {
    auto fx = send(who, command, now);
    EXPECT_TRUE(fx.reply && fx.reply->has_floor())
        << (fx.reply && fx.reply->has_error() ? fx.reply->error().message() : "no reply");
    return fx;
  }

  // Sends, expects `code` and no event at all.
  void refused(member_id who, const v1::FloorCommand& command, time_ms now, v1::ErrorCode code) {
    const auto head = room_.head_seq();
    auto fx = send(who, command, now);
    ASSERT_TRUE(fx.reply && fx.reply->has_error());
    EXPECT_EQ(fx.reply->error().code(), code) << fx.reply->error().message();
    EXPECT_TRUE(fx.events.empty());
    EXPECT_EQ(room_.head_seq(), head);
  }

  effects drop(member_id who, time_ms now) {
    auto fx = room_.disconnect(conn_of_.at(who), now);
    check();
    return fx;
  }

  effects wake(time_ms now) {
    auto fx = room_.wake(now);
    check();
    return fx;
  }

  v1::FloorState floor(time_ms now = 0) const { return room_.snapshot(0, now).floor(); }

  // FloorChanged kinds in `fx`, in order.
  static std::vector<v1::FloorChangeKind> kinds(const effects& fx) {
    std::vector<v1::FloorChangeKind> out;
    for (const auto& e : fx.events) {
      if (e.event.has_floor()) {
        out.push_back(e.event.floor().kind());
      }
    }
    return out;
  }

  static std::vector<member_id> hands(const v1::FloorState& state) {
    std::vector<member_id> out;
    for (const auto& h : state.hands()) {
      out.push_back(h.member_id());
    }
    return out;
  }

  void check() const {
    const auto broken = room_.check_invariants();
    EXPECT_TRUE(broken.empty()) << broken;
  }

  room room_;
  effects last_;
  std::map<member_id, connection_id> conn_of_;
  connection_id next_conn_ = 1;
};

// Command builders.
namespace cmd {

inline v1::FloorCommand mode(v1::FloorMode m) {
  v1::FloorCommand c;
  c.mutable_set_mode()->set_mode(m);
  return c;
}
inline v1::FloorCommand timing(std::uint32_t budget, std::uint32_t warning = 0,
                               v1::ExpiryAction action = v1::EXPIRY_ACTION_ADVANCE,
                               bool pause_without_facilitator = false) {
  v1::FloorCommand c;
  auto* t = c.mutable_set_settings()->mutable_timing();
  t->set_budget_ms(budget);
  t->set_warning_before_ms(warning);
  t->set_on_expiry(action);
  c.mutable_set_settings()->set_pause_without_facilitator(pause_without_facilitator);
  return c;
}
inline v1::FloorCommand raise() {
  v1::FloorCommand c;
  c.mutable_raise_hand();
  return c;
}
inline v1::FloorCommand lower(member_id m = 0) {
  v1::FloorCommand c;
  c.mutable_lower_hand()->set_member_id(m);
  return c;
}
inline v1::FloorCommand move(member_id m, std::uint32_t position) {
  v1::FloorCommand c;
  c.mutable_move_hand()->set_member_id(m);
  c.mutable_move_hand()->set_position(position);
  return c;
}
inline v1::FloorCommand grant(member_id m = 0) {
  v1::FloorCommand c;
  c.mutable_grant_floor()->set_member_id(m);
  return c;
}
inline v1::FloorCommand take() {
  v1::FloorCommand c;
  c.mutable_take_floor();
  return c;
}
inline v1::FloorCommand yield() {
  v1::FloorCommand c;
  c.mutable_yield_floor();
  return c;
}
inline v1::FloorCommand revoke() {
  v1::FloorCommand c;
  c.mutable_revoke_floor();
  return c;
}
inline v1::FloorCommand piece(member_id to) {
  v1::FloorCommand c;
  c.mutable_pass_piece()->set_to_member_id(to);
  return c;
}
inline v1::FloorCommand round(std::uint32_t budget = 0, std::uint32_t warning = 0,
                              v1::ExpiryAction action = v1::EXPIRY_ACTION_ADVANCE,
                              v1::LateJoiners late = v1::LATE_JOINERS_APPEND) {
  v1::FloorCommand c;
  auto* r = c.mutable_start_round();
  r->set_order(v1::ROUND_ORDER_ROSTER);
  r->mutable_timing()->set_budget_ms(budget);
  r->mutable_timing()->set_warning_before_ms(warning);
  r->mutable_timing()->set_on_expiry(action);
  r->set_late_joiners(late);
  r->set_label("Check-in");
  return c;
}
inline v1::FloorCommand custom_round(const std::vector<member_id>& order,
                                     std::uint32_t budget = 0) {
  auto c = round(budget);
  c.mutable_start_round()->set_order(v1::ROUND_ORDER_CUSTOM);
  for (auto m : order) {
    c.mutable_start_round()->add_custom_order(m);
  }
  return c;
}
inline v1::FloorCommand pass() {
  v1::FloorCommand c;
  c.mutable_pass_turn();
  return c;
}
inline v1::FloorCommand skip() {
  v1::FloorCommand c;
  c.mutable_skip_turn();
  return c;
}
inline v1::FloorCommand extend(std::uint32_t ms) {
  v1::FloorCommand c;
  c.mutable_extend_turn()->set_extra_ms(ms);
  return c;
}
inline v1::FloorCommand pause() {
  v1::FloorCommand c;
  c.mutable_pause();
  return c;
}
inline v1::FloorCommand resume() {
  v1::FloorCommand c;
  c.mutable_resume();
  return c;
}
inline v1::FloorCommand reorder(const std::vector<member_id>& order) {
  v1::FloorCommand c;
  for (auto m : order) {
    c.mutable_reorder_round()->add_member_ids(m);
  }
  return c;
}
inline v1::FloorCommand end_round() {
  v1::FloorCommand c;
  c.mutable_end_round();
  return c;
}
inline v1::FloorCommand airtime() {
  v1::FloorCommand c;
  c.mutable_get_airtime();
  return c;
}

}  // namespace cmd
}  // namespace hearth::core::testing
