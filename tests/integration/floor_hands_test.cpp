// The hand queue over real sockets: every client sees the same queue, in the
// server's arrival order, and the same absolute deadline for the turn.
#include "floor_flow.hpp"

namespace hearth::testing {
namespace {

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

}  // namespace
}  // namespace hearth::testing
