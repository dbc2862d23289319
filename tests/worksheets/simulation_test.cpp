// Whole-system simulation: several client replicas against the real server
// worksheet, with random edits, random interleaving of the connections (each
// connection keeps its order, as a WebSocket does), disconnects that lose
// whatever was on the wire, resends after reconnecting, and duplicate
// submits. At quiescence every replica equals the server, the server equals a
// replay of its log from version 0, versions are contiguous and no
// (client_id, client_seq) is committed twice.
// The seed is printed; HEARTH_TEST_SEED=N replays one run.
#include <gtest/gtest.h>

#include <deque>
#include <iostream>
#include <set>
#include <variant>

#include "random_ops.hpp"
#include "worksheets/replica.hpp"
#include "worksheets/worksheet.hpp"

namespace hearth::worksheets::testing {
namespace {

using downstream = std::variant<v1::WorksheetCommit, v1::WorksheetAck>;

struct sim_client {
  writer who;
  replica rep;
  random_ops gen;
  bool connected = true;
  std::deque<v1::WorksheetBatch> up;  // on the wire to the server
  std::deque<downstream> down;        // on the wire to the client
};

class simulation {
 public:
  explicit simulation(std::uint64_t seed)
      : rng_(seed, "sim"),
        server_("ws1", sample_template(), sheet{v1::WORKSHEET_SCOPE_SESSION, 0, {}}) {
    for (std::uint32_t i = 0; i < 4; ++i) {
      const std::string id = "c" + std::to_string(i);
      auto rep = replica::open(id, 10 + i, sample_template(), server_.snapshot());
      clients_.push_back({writer{10 + i, v1::ROLE_PARTICIPANT, {}},
                          std::move(*rep),
                          random_ops(seed + 1 + i, id + "-"),
                          true,
                          {},
                          {}});
    }
  }

  void step() {
    auto& c = clients_[rng_.below(clients_.size())];
    switch (rng_.below(10)) {
      case 0:
      case 1:
      case 2:
        if (auto o = c.gen.any(c.rep.view())) {
          c.rep.edit(*o);  // a refused local edit (over a limit) changes nothing
        }
        break;
      case 3:
        send(c);
        break;
      case 4:
      case 5:
        deliver_up(c);
        break;
      case 6:
      case 7:
        deliver_down(c);
        break;
      case 8:
        if (rng_.below(4) == 0) {
          disconnect(c);
        } else if (c.connected && c.rep.resend()) {
          c.up.push_back(*c.rep.resend());  // a duplicate submit
        }
        break;
      default:
        if (!c.connected) {
          reconnect(c);
        }
        break;
    }
  }

  // Reconnects everyone and runs every queue dry.
  void settle() {
    for (auto& c : clients_) {
      if (!c.connected) {
        reconnect(c);
      }
    }
    for (bool busy = true; busy;) {
      busy = false;
      for (auto& c : clients_) {
        send(c);
        busy = busy || !c.up.empty() || !c.down.empty() || !c.rep.idle();
        while (!c.up.empty()) {
          deliver_up(c);
        }
      }
      for (auto& c : clients_) {
        while (!c.down.empty()) {
          deliver_down(c);
        }
      }
    }
  }

  void check() const {
    const auto log = server_.commits_since(0);
    std::set<std::pair<std::string, std::uint64_t>> seen;
    for (std::size_t i = 0; i < log.size(); ++i) {
      ASSERT_EQ(log[i].version(), i + 1) << "versions are contiguous";
      ASSERT_TRUE(seen.insert({log[i].client_id(), log[i].client_seq()}).second)
          << "committed twice: " << log[i].client_id() << " " << log[i].client_seq();
    }
    const auto replayed = worksheet::replay("ws1", sample_template(), {}, log);
    ASSERT_TRUE(replayed.has_value());
    EXPECT_EQ(replayed->state(), server_.state());
    for (const auto& c : clients_) {
      EXPECT_EQ(c.rep.version(), server_.version());
      EXPECT_EQ(c.rep.confirmed(), server_.state()) << c.rep.client_id();
      EXPECT_EQ(c.rep.view(), server_.state()) << c.rep.client_id();
    }
  }

  std::uint64_t version() const { return server_.version(); }
  // How much the run exercised: batches refused, resubmissions answered from
  // the log, commits merged into a replica that had unsent work.
  int rejected() const { return rejected_; }
  int duplicates() const { return duplicates_; }
  int merged_while_busy() const { return merged_while_busy_; }

 private:
  void send(sim_client& c) {
    if (!c.connected) {
      return;
    }
    if (auto b = c.rep.next_batch()) {
      c.up.push_back(std::move(*b));
    }
  }

  void deliver_up(sim_client& c) {
    if (c.up.empty()) {
      return;
    }
    const auto b = std::move(c.up.front());
    c.up.pop_front();
    auto result = server_.submit(b, c.who);
    duplicates_ += result.commit || result.ack.error() != v1::WORKSHEET_ERROR_NONE ? 0 : 1;
    if (result.commit) {
      for (auto& other : clients_) {
        if (other.connected) {
          other.down.emplace_back(*result.commit);
        }
      }
    }
    c.down.emplace_back(result.ack);
  }

  void deliver_down(sim_client& c) {
    if (c.down.empty()) {
      return;
    }
    const auto m = std::move(c.down.front());
    c.down.pop_front();
    const auto out = std::visit([&](const auto& msg) { return c.rep.receive(msg); }, m);
    ASSERT_NE(out, replica::outcome::gap) << c.rep.client_id();
    rejected_ += out == replica::outcome::rejected ? 1 : 0;
    merged_while_busy_ += out == replica::outcome::applied && !c.rep.idle() ? 1 : 0;
  }

  static void disconnect(sim_client& c) {
    c.connected = false;
    c.up.clear();
    c.down.clear();
  }

  // The resume first (the commits the client missed), then the batch in
  // flight again at once, with the same client_seq.
  void reconnect(sim_client& c) {
    c.connected = true;
    for (auto& commit : server_.commits_since(c.rep.version())) {
      c.down.emplace_back(std::move(commit));
    }
    if (auto b = c.rep.resend()) {
      c.up.push_back(std::move(*b));
    }
  }

  random_ops rng_;
  worksheet server_;
  std::vector<sim_client> clients_;
  int rejected_ = 0;
  int duplicates_ = 0;
  int merged_while_busy_ = 0;
};

TEST(Simulation, ReplicasConvergeOnTheServersDocument) {
  const auto seed = test_seed();
  std::uint64_t commits = 0;
  int duplicates = 0;
  int merged = 0;
  for (std::uint64_t run = 0; run < 20; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    simulation sim(seed + run * 101);
    for (int i = 0; i < 1500; ++i) {
      sim.step();
      if (::testing::Test::HasFatalFailure()) {
        return;
      }
    }
    sim.settle();
    sim.check();
    commits += sim.version();
    duplicates += sim.duplicates();
    merged += sim.merged_while_busy();
    if (::testing::Test::HasFailure()) {
      return;
    }
  }
  std::cout << commits << " commits, " << duplicates << " resubmissions answered, " << merged
            << " commits merged under unsent edits\n";
  EXPECT_GT(duplicates, 0);
  EXPECT_GT(merged, 0);
}

}  // namespace
}  // namespace hearth::worksheets::testing
