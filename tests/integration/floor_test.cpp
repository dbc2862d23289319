// The floor over real sockets: a real hearthd, a facilitator and three
// participants on their own connections. Every client must see the same hand
// queue, in server arrival order, and the same absolute deadlines; a round goes
// around with a pass, an expiry and a done, and only facilitators get its
// summary and the airtime reports. No assertion depends on wall-clock speed:
// waits are event waits with generous timeouts, and times are compared as the
// server stamped them.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server_process.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

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

v1::FloorCommand settings(std::uint32_t budget, std::uint32_t warning) {
  v1::FloorCommand c;
  auto* timing = c.mutable_set_settings()->mutable_timing();
  timing->set_budget_ms(budget);
  timing->set_warning_before_ms(warning);
  timing->set_on_expiry(v1::EXPIRY_ACTION_ADVANCE);
  return c;
}
v1::FloorCommand raise() {
  v1::FloorCommand c;
  c.mutable_raise_hand();
  return c;
}
v1::FloorCommand grant(std::uint32_t member) {
  v1::FloorCommand c;
  c.mutable_grant_floor()->set_member_id(member);
  return c;
}
v1::FloorCommand start_round(std::uint32_t budget, const std::string& label) {
  v1::FloorCommand c;
  auto* start = c.mutable_start_round();
  start->set_order(v1::ROUND_ORDER_ROSTER);
  start->mutable_timing()->set_budget_ms(budget);
  start->mutable_timing()->set_on_expiry(v1::EXPIRY_ACTION_ADVANCE);
  start->set_label(label);
  return c;
}
v1::FloorCommand pass() {
  v1::FloorCommand c;
  c.mutable_pass_turn();
  return c;
}
v1::FloorCommand yield() {
  v1::FloorCommand c;
  c.mutable_yield_floor();
  return c;
}

}  // namespace cmd

std::vector<std::uint32_t> hands(const v1::FloorState& state) {
  std::vector<std::uint32_t> out;
  for (const auto& hand : state.hands()) {
    out.push_back(hand.member_id());
  }
  return out;
}

std::vector<std::pair<std::uint32_t, v1::TurnOutcome>> entries(const v1::FloorState& state) {
  std::vector<std::pair<std::uint32_t, v1::TurnOutcome>> out;
  for (const auto& entry : state.round().entries()) {
    out.emplace_back(entry.member_id(), entry.outcome());
  }
  return out;
}

// The next room-stream event; direct events on the way are logged and skipped.
std::optional<v1::Event> next_room_event(peer& p, std::chrono::milliseconds timeout = patience) {
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
std::optional<v1::Event> next_floor(peer& p, v1::FloorChangeKind kind) {
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

TEST_F(floor_flow, hands_queue_in_arrival_order_and_everyone_sees_the_same_deadline) {
  ASSERT_TRUE(ok(fac_, cmd::settings(5000, 1000)));
  auto set = everyone_sees(v1::FLOOR_CHANGE_SETTINGS);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->floor().state().mode(), v1::FLOOR_MODE_MODERATED);
  EXPECT_EQ(set->floor().state().settings().timing().budget_ms(), 5000U);
  EXPECT_FALSE(set->floor().state().has_turn());

  // Kim, Alex, Sam: neither join order nor member-id order. Each waits its own
  // time before sending and for its reply, so the arrival order is known.
  const std::array<std::size_t, 3> order{2, 0, 1};
  const std::array<std::chrono::milliseconds, 3> delay{0ms, 30ms, 60ms};
  std::vector<std::uint32_t> expected;
  std::uint32_t seq = set->seq();
  for (std::size_t i = 0; i < order.size(); ++i) {
    std::this_thread::sleep_for(delay[i]);
    peer& p = p_[order[i]];
    const auto reply = send(p, cmd::raise());
    ASSERT_TRUE(reply.has_floor()) << p.name << ": " << reply.ShortDebugString();
    EXPECT_EQ(reply.floor().seq(), seq + 1) << "one event per raised hand";
    seq = reply.floor().seq();
    expected.push_back(p.id);
  }

  // A participant cannot grant the floor, and the attempt leaves no trace.
  const auto denied = send(p_[0], cmd::grant(p_[1].id));
  ASSERT_TRUE(denied.has_error()) << denied.ShortDebugString();
  EXPECT_EQ(denied.error().code(), v1::ERROR_CODE_PERMISSION_DENIED);

  for (std::size_t n = 0; n < expected.size(); ++n) {
    auto raised = everyone_sees(v1::FLOOR_CHANGE_HAND_RAISED);
    ASSERT_TRUE(raised);
    const auto& change = raised->floor();
    EXPECT_EQ(change.subject_member_id(), expected[n]);
    EXPECT_EQ(change.actor_member_id(), expected[n]);
    EXPECT_EQ(hands(change.state()),
              std::vector<std::uint32_t>(expected.begin(),
                                         expected.begin() + static_cast<std::ptrdiff_t>(n + 1)));
    EXPECT_EQ(change.state().hands(static_cast<int>(n)).raised_at_ms(), raised->server_time_ms());
    for (int k = 1; k < change.state().hands_size(); ++k) {
      EXPECT_LE(change.state().hands(k - 1).raised_at_ms(), change.state().hands(k).raised_at_ms());
    }
  }
  ASSERT_EQ(fac_.seen, seq);
  marker("after the hands");  // the refused grant emitted nothing in between
  EXPECT_TRUE(direct_events(fac_).empty()) << "raising hands changes no airtime";

  // The facilitator grants the first hand: the same absolute deadline everywhere.
  ASSERT_TRUE(ok(fac_, cmd::grant(0)));
  auto granted = everyone_sees(v1::FLOOR_CHANGE_GRANTED);
  ASSERT_TRUE(granted);
  const auto& state = granted->floor().state();
  EXPECT_EQ(granted->floor().actor_member_id(), fac_.id);
  EXPECT_EQ(granted->floor().subject_member_id(), expected[0]);
  ASSERT_TRUE(state.has_turn());
  EXPECT_EQ(state.turn().member_id(), expected[0]);
  EXPECT_EQ(state.turn().budget_ms(), 5000U);
  EXPECT_EQ(state.turn().started_at_ms(), granted->server_time_ms());
  EXPECT_EQ(state.turn().deadline_ms(), granted->server_time_ms() + 5000);
  EXPECT_EQ(state.turn().warning_at_ms(), state.turn().deadline_ms() - 1000);
  EXPECT_EQ(state.turn().remaining_ms(), 5000);
  EXPECT_FALSE(state.turn().overdue());
  EXPECT_EQ(hands(state), (std::vector<std::uint32_t>{expected[1], expected[2]}));

  // Kim says done; the facilitator's airtime report (and only theirs) counts the turn.
  ASSERT_TRUE(ok(p_[2], cmd::yield()));
  auto yielded = everyone_sees(v1::FLOOR_CHANGE_YIELDED);
  ASSERT_TRUE(yielded);
  EXPECT_EQ(yielded->floor().subject_member_id(), expected[0]);
  EXPECT_FALSE(yielded->floor().state().has_turn());
  EXPECT_EQ(hands(yielded->floor().state()),
            (std::vector<std::uint32_t>{expected[1], expected[2]}));

  marker("after the turn");
  std::optional<v1::AirtimeReport> airtime;
  for (const auto& e : direct_events(fac_)) {
    ASSERT_TRUE(e.has_airtime()) << e.ShortDebugString();
    airtime = e.airtime();
  }
  ASSERT_TRUE(airtime) << "no airtime report after the turn";
  bool listed = false;
  for (const auto& a : airtime->members()) {
    if (a.member_id() == expected[0]) {
      listed = true;
      EXPECT_EQ(a.turns(), 1U);
    } else {
      EXPECT_EQ(a.turns(), 0U) << a.ShortDebugString();
    }
  }
  EXPECT_TRUE(listed);
  expect_nothing_direct_for_participants();
}

TEST_F(floor_flow, hands_raised_at_once_queue_in_the_servers_order_for_everyone) {
  // Three threads, one per participant, each with its own delay before sending.
  // Whatever order the hands arrive in, the server's replies say it, and every
  // client must see exactly that order.
  std::array<std::uint32_t, 3> reply_seq{};
  const std::array<std::chrono::milliseconds, 3> delay{20ms, 0ms, 10ms};
  const auto start = std::chrono::steady_clock::now() + 100ms;
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < p_.size(); ++i) {
    senders.emplace_back([&, i] {
      std::this_thread::sleep_until(start + delay[i]);
      const auto reply = send(p_[i], cmd::raise());
      reply_seq[i] = reply.has_floor() ? reply.floor().seq() : 0;
    });
  }
  for (auto& t : senders) {
    t.join();
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> by_seq;  // (seq, member)
  for (std::size_t i = 0; i < p_.size(); ++i) {
    ASSERT_NE(reply_seq[i], 0U) << p_[i].name << "'s hand was not accepted";
    by_seq.emplace_back(reply_seq[i], p_[i].id);
  }
  std::sort(by_seq.begin(), by_seq.end());
  std::vector<std::uint32_t> arrival;
  for (const auto& [seq, member] : by_seq) {
    arrival.push_back(member);
  }

  for (std::size_t n = 0; n < arrival.size(); ++n) {
    auto raised = everyone_sees(v1::FLOOR_CHANGE_HAND_RAISED);
    ASSERT_TRUE(raised);
    EXPECT_EQ(raised->seq(), by_seq[n].first);
    EXPECT_EQ(raised->floor().subject_member_id(), arrival[n]);
    EXPECT_EQ(hands(raised->floor().state()),
              std::vector<std::uint32_t>(arrival.begin(),
                                         arrival.begin() + static_cast<std::ptrdiff_t>(n + 1)));
  }
  marker("after the hands");
}

TEST_F(floor_flow, a_round_goes_around_with_a_pass_an_expiry_and_a_done) {
  // Long enough that a pass or a done always comes before the budget runs out,
  // even on a loaded machine; the middle turn waits for it to run out.
  constexpr std::uint32_t budget = 1000;
  ASSERT_TRUE(ok(fac_, cmd::start_round(budget, "Check-in")));
  auto started = everyone_sees(v1::FLOOR_CHANGE_ROUND_STARTED);
  ASSERT_TRUE(started);
  {
    const auto& state = started->floor().state();
    EXPECT_EQ(state.mode(), v1::FLOOR_MODE_ROUND);
    ASSERT_TRUE(state.has_round());
    EXPECT_EQ(state.round().round_id(), 1U);
    EXPECT_EQ(state.round().label(), "Check-in");
    EXPECT_EQ(state.round().order(), v1::ROUND_ORDER_ROSTER);
    EXPECT_EQ(state.round().timing().budget_ms(), budget);
    EXPECT_EQ(state.round().started_at_ms(), started->server_time_ms());
    EXPECT_EQ(entries(state), (std::vector<std::pair<std::uint32_t, v1::TurnOutcome>>{
                                  {p_[0].id, v1::TURN_OUTCOME_PENDING},
                                  {p_[1].id, v1::TURN_OUTCOME_PENDING},
                                  {p_[2].id, v1::TURN_OUTCOME_PENDING}}));
  }

  // Checks a TURN_STARTED for `p`: the same absolute deadline for everyone.
  auto turn_of = [&](const peer& p) -> std::optional<v1::Event> {
    auto e = everyone_sees(v1::FLOOR_CHANGE_TURN_STARTED);
    if (!e) {
      return std::nullopt;
    }
    const auto& turn = e->floor().state().turn();
    EXPECT_EQ(e->floor().subject_member_id(), p.id);
    EXPECT_EQ(turn.member_id(), p.id);
    EXPECT_EQ(turn.budget_ms(), budget);
    EXPECT_EQ(turn.started_at_ms(), e->server_time_ms());
    EXPECT_EQ(turn.deadline_ms(), e->server_time_ms() + budget);
    EXPECT_EQ(turn.warning_at_ms(), 0U);
    return e;
  };

  // Alex passes.
  ASSERT_TRUE(turn_of(p_[0]));
  ASSERT_TRUE(ok(p_[0], cmd::pass()));
  auto passed = everyone_sees(v1::FLOOR_CHANGE_TURN_PASSED);
  ASSERT_TRUE(passed);
  EXPECT_EQ(passed->floor().actor_member_id(), p_[0].id);
  EXPECT_EQ(passed->floor().subject_member_id(), p_[0].id);
  EXPECT_EQ(entries(passed->floor().state())[0].second, v1::TURN_OUTCOME_PASSED);

  // Sam says nothing: the server ends the turn at its deadline by itself.
  auto sams_turn = turn_of(p_[1]);
  ASSERT_TRUE(sams_turn);
  auto expired = everyone_sees(v1::FLOOR_CHANGE_TURN_EXPIRED);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->floor().actor_member_id(), 0U);
  EXPECT_EQ(expired->floor().subject_member_id(), p_[1].id);
  EXPECT_GE(expired->server_time_ms(), sams_turn->floor().state().turn().deadline_ms());
  EXPECT_EQ(entries(expired->floor().state())[1].second, v1::TURN_OUTCOME_SPOKE);

  // Kim says done: the round is complete.
  ASSERT_TRUE(turn_of(p_[2]));
  ASSERT_TRUE(ok(p_[2], cmd::yield()));
  auto yielded = everyone_sees(v1::FLOOR_CHANGE_YIELDED);
  ASSERT_TRUE(yielded);
  EXPECT_EQ(yielded->floor().subject_member_id(), p_[2].id);
  auto ended = everyone_sees(v1::FLOOR_CHANGE_ROUND_ENDED);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->floor().actor_member_id(), 0U);
  EXPECT_EQ(ended->floor().state().mode(), v1::FLOOR_MODE_MODERATED);
  EXPECT_FALSE(ended->floor().state().has_round());
  EXPECT_FALSE(ended->floor().state().has_turn());

  marker("after the round");
  std::vector<v1::RoundSummary> summaries;
  std::optional<v1::AirtimeReport> airtime;
  for (const auto& e : direct_events(fac_)) {
    EXPECT_EQ(e.seq(), 0U);
    if (e.has_round_summary()) {
      summaries.push_back(e.round_summary());
    } else if (e.has_airtime()) {
      airtime = e.airtime();
    }
  }
  ASSERT_EQ(summaries.size(), 1U) << "one summary on the facilitator's direct stream";
  const auto& summary = summaries[0];
  EXPECT_EQ(summary.round_id(), 1U);
  EXPECT_EQ(summary.label(), "Check-in");
  EXPECT_EQ(summary.order(), v1::ROUND_ORDER_ROSTER);
  EXPECT_EQ(summary.reason(), v1::ROUND_END_REASON_COMPLETED);
  EXPECT_EQ(summary.started_at_ms(), started->server_time_ms());
  EXPECT_EQ(summary.ended_at_ms(), ended->server_time_ms());
  ASSERT_EQ(summary.entries_size(), 3);
  EXPECT_EQ(summary.entries(0).member_id(), p_[0].id);
  EXPECT_EQ(summary.entries(0).outcome(), v1::TURN_OUTCOME_PASSED);
  EXPECT_EQ(summary.entries(1).member_id(), p_[1].id);
  EXPECT_EQ(summary.entries(1).outcome(), v1::TURN_OUTCOME_SPOKE);
  EXPECT_GE(summary.entries(1).duration_ms(), budget);
  EXPECT_EQ(summary.entries(2).member_id(), p_[2].id);
  EXPECT_EQ(summary.entries(2).outcome(), v1::TURN_OUTCOME_SPOKE);

  // The last airtime report lists everyone in the round; Sam and Kim spoke
  // (Sam for the whole budget). Whether a pass counts as a turn is left open.
  ASSERT_TRUE(airtime);
  std::vector<std::uint32_t> listed;
  for (const auto& a : airtime->members()) {
    listed.push_back(a.member_id());
    if (a.member_id() == p_[1].id) {
      EXPECT_EQ(a.turns(), 1U);
      EXPECT_GE(a.floor_ms(), budget);
    } else if (a.member_id() == p_[2].id) {
      EXPECT_EQ(a.turns(), 1U);
    }
  }
  for (const peer& p : p_) {
    EXPECT_EQ(std::count(listed.begin(), listed.end(), p.id), 1) << p.name;
  }
  expect_nothing_direct_for_participants();
}

// The server's own rule (floor_control::check_invariants): "the floor holder is
// also in the hand queue" must never hold. A round turn given to a member whose
// hand is up has to keep that rule like a grant does.
TEST_F(floor_flow, a_round_turn_does_not_leave_the_speaker_in_the_hand_queue) {
  ASSERT_TRUE(ok(p_[0], cmd::raise()));
  ASSERT_TRUE(everyone_sees(v1::FLOOR_CHANGE_HAND_RAISED));
  ASSERT_TRUE(ok(fac_, cmd::start_round(0, "Hands up")));
  ASSERT_TRUE(everyone_sees(v1::FLOOR_CHANGE_ROUND_STARTED));
  auto turn = everyone_sees(v1::FLOOR_CHANGE_TURN_STARTED);
  ASSERT_TRUE(turn);
  const auto& state = turn->floor().state();
  ASSERT_EQ(state.turn().member_id(), p_[0].id);
  const auto queued = hands(state);
  EXPECT_EQ(std::count(queued.begin(), queued.end(), p_[0].id), 0)
      << "the speaker holds the round turn and is still in the hand queue: "
      << state.ShortDebugString();
}

}  // namespace
}  // namespace hearth::testing
