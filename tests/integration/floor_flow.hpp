// Shared by the floor tests over real sockets: a real hearthd, a facilitator
// and three participants on their own connections, each logging what it reads.
// No assertion depends on wall-clock speed: waits are event waits with
// generous timeouts, and times are compared as the server stamped them.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server_process.hpp"

namespace hearth::testing {

using namespace std::literals::chrono_literals;

constexpr std::chrono::milliseconds patience = 5s;

// One member's connection and every event it has read, in order.
struct peer {
  std::string name;
  std::string token;
  std::unique_ptr<client::ws_client> ws;
  std::uint32_t id = 0;
  std::uint32_t seen = 0;  // last room-stream seq read
  std::vector<v1::Event> log;
};

namespace cmd {

inline v1::FloorCommand settings(std::uint32_t budget, std::uint32_t warning) {
  v1::FloorCommand c;
  auto* timing = c.mutable_set_settings()->mutable_timing();
  timing->set_budget_ms(budget);
  timing->set_warning_before_ms(warning);
  timing->set_on_expiry(v1::EXPIRY_ACTION_ADVANCE);
  return c;
}
inline v1::FloorCommand raise() {
  v1::FloorCommand c;
  c.mutable_raise_hand();
  return c;
}
inline v1::FloorCommand grant(std::uint32_t member) {
  v1::FloorCommand c;
  c.mutable_grant_floor()->set_member_id(member);
  return c;
}
inline v1::FloorCommand start_round(std::uint32_t budget, const std::string& label) {
  v1::FloorCommand c;
  auto* start = c.mutable_start_round();
  start->set_order(v1::ROUND_ORDER_ROSTER);
  start->mutable_timing()->set_budget_ms(budget);
  start->mutable_timing()->set_on_expiry(v1::EXPIRY_ACTION_ADVANCE);
  start->set_label(label);
  return c;
}
inline v1::FloorCommand pass() {
  v1::FloorCommand c;
  c.mutable_pass_turn();
  return c;
}
inline v1::FloorCommand yield() {
  v1::FloorCommand c;
  c.mutable_yield_floor();
  return c;
}

}  // namespace cmd

inline std::vector<std::uint32_t> hands(const v1::FloorState& state) {
  std::vector<std::uint32_t> out;
  for (const auto& hand : state.hands()) {
    out.push_back(hand.member_id());
  }
  return out;
}

inline std::vector<std::pair<std::uint32_t, v1::TurnOutcome>> entries(const v1::FloorState& state) {
  std::vector<std::pair<std::uint32_t, v1::TurnOutcome>> out;
  for (const auto& entry : state.round().entries()) {
    out.emplace_back(entry.member_id(), entry.outcome());
  }
  return out;
}

// The next room-stream event; direct events on the way are logged and skipped.
inline std::optional<v1::Event> next_room_event(peer& p,
                                                std::chrono::milliseconds timeout = patience) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) {
      return std::nullopt;
    }
    auto m = p.ws->receive(left);
    if (!m) {
      return std::nullopt;
    }
    if (!m->has_event()) {
      continue;  // replies are taken by await_reply right after each command
    }
    p.log.push_back(m->event());
    if (m->event().seq() != 0) {
      p.seen = m->event().seq();
      return m->event();
    }
  }
}

// The next room event of `p` must be a FloorChanged of `kind`.
inline std::optional<v1::Event> next_floor(peer& p, v1::FloorChangeKind kind) {
  auto e = next_room_event(p);
  if (!e) {
    ADD_FAILURE() << p.name << ": nothing arrived, expected " << v1::FloorChangeKind_Name(kind);
    return std::nullopt;
  }
  if (!e->has_floor() || e->floor().kind() != kind) {
    ADD_FAILURE() << p.name << ": expected " << v1::FloorChangeKind_Name(kind) << ", got "
                  << e->ShortDebugString();
    return std::nullopt;
  }
  return e;
}

class floor_flow : public ::testing::Test {
 protected:
  void SetUp() override {
    join(fac_, "facilitator", "f1", "Dana");
    const std::array<const char*, 3> names{"Alex", "Sam", "Kim"};
    for (std::size_t i = 0; i < p_.size(); ++i) {
      join(p_[i], "participant", "p" + std::to_string(i), names[i]);
    }
    all_ = {&fac_, &p_[0], &p_[1], &p_[2]};
    // Read the arrivals, so that every stream stands at the last join.
    const auto head = p_.back().seen;
    for (peer* p : all_) {
      while (p->seen < head) {
        auto e = next_room_event(*p);
        ASSERT_TRUE(e) << p->name << " did not see everyone arrive";
        ASSERT_TRUE(e->has_member_joined()) << e->ShortDebugString();
      }
    }
  }

  void join(peer& p, const std::string& role, const std::string& subject, const std::string& name) {
    p.name = name;
    p.token = server_.mint("r1", role, subject, name);
    v1::JoinResult joined;
    p.ws = server_.join(p.token, &joined);
    p.id = joined.member_id();
    p.seen = joined.head_seq();
  }

  static v1::Reply send(peer& p, const v1::FloorCommand& command) {
    auto reply = p.ws->await_reply(p.ws->floor(command), patience);
    if (!reply) {
      v1::Reply none;
      none.mutable_error()->set_message("no reply within the timeout");
      return none;
    }
    return *reply;
  }

  static ::testing::AssertionResult ok(peer& p, const v1::FloorCommand& command) {
    const auto reply = send(p, command);
    if (reply.has_floor()) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << p.name << ": " << command.ShortDebugString() << " -> " << reply.ShortDebugString();
  }

  // Every client's next room event is the same FloorChanged of `kind`, byte for
  // byte (the same seq, state, deadlines); returns it.
  std::optional<v1::Event> everyone_sees(v1::FloorChangeKind kind) {
    std::optional<v1::Event> first;
    for (peer* p : all_) {
      auto e = next_floor(*p, kind);
      if (!e) {
        return std::nullopt;
      }
      if (!first) {
        first = e;
      } else {
        EXPECT_EQ(e->ShortDebugString(), first->ShortDebugString())
            << p->name << " saw a different " << v1::FloorChangeKind_Name(kind) << " than "
            << all_.front()->name;
      }
    }
    return first;
  }

  // A room chat from the facilitator; every client's next room event must be
  // it, directly after the last seq they read: nothing happened in between.
  void marker(const std::string& text) {
    const auto before = fac_.seen;
    auto reply = fac_.ws->await_reply(fac_.ws->chat(text), patience);
    ASSERT_TRUE(reply && reply->has_chat());
    for (peer* p : all_) {
      ASSERT_EQ(p->seen, before) << p->name << " is behind";
      auto e = next_room_event(*p);
      ASSERT_TRUE(e) << p->name << " did not get the marker";
      EXPECT_TRUE(e->has_chat() && e->chat().text() == text)
          << p->name << ": expected the marker, got " << e->ShortDebugString();
      EXPECT_EQ(e->seq(), before + 1) << p->name;
    }
  }

  static std::vector<v1::Event> direct_events(const peer& p) {
    std::vector<v1::Event> out;
    for (const auto& e : p.log) {
      if (e.direct_seq() != 0) {
        out.push_back(e);
      }
    }
    return out;
  }

  // Participants' streams carry no summaries, no airtime, nothing direct.
  void expect_nothing_direct_for_participants() {
    for (const peer& p : p_) {
      for (const auto& e : p.log) {
        EXPECT_FALSE(e.has_round_summary()) << p.name << " got " << e.ShortDebugString();
        EXPECT_FALSE(e.has_airtime()) << p.name << " got " << e.ShortDebugString();
        EXPECT_EQ(e.direct_seq(), 0U) << p.name << " got " << e.ShortDebugString();
      }
    }
  }

  server_process server_;
  peer fac_;
  std::array<peer, 3> p_;  // Alex, Sam, Kim in join order
  std::vector<peer*> all_;
};

}  // namespace hearth::testing
