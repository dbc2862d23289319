// The simulation's end state: what must hold at quiescence (worksheet_sim.hpp).
#include "worksheet_sim.hpp"

#include <gtest/gtest.h>

#include "worksheets/codec.hpp"

namespace hearth::core::testing {
namespace {

namespace ws = hearth::worksheets;

// `d` with its rows' authors named by subject, so that rooms whose member
// ids differ (a restored room) compare.
ws::document by_subject(ws::document d, const room& r) {
  for (auto& [field, state] : d.fields) {
    for (auto& [id, it] : state.items) {
      const member* m = r.people().find(it.author);
      const std::string subject = m == nullptr ? std::string() : m->who.subject;
      it.author = 0;
      for (std::uint32_t i = 0; i < 4; ++i) {
        if (subject == sim_subjects[i]) {
          it.author = i + 1;
        }
      }
    }
  }
  return d;
}

}  // namespace

// Whether `subject` may read a sheet: session sheets everyone, the family
// sheet (pa's family) the facilitator, pa and fm.
bool sim_reads(const std::string& subject, const v1::WorksheetDocument& d) {
  return d.owner_family().empty() || subject != "pb";
}

room_limits sim_limits(const sim_settings& s) {
  room_limits l;
  l.reconnect_grace = s.grace;
  l.max_worksheet_queue = s.queue_limit;
  return l;
}

session_plan sim_plan() {
  session_plan plan;
  plan.accompanies["fm"] = "pa";
  return plan;
}

void sim_counts::add(const sim_counts& o) {
  commits += o.commits;
  resubmissions += o.resubmissions;
  refused += o.refused;
  store_failures += o.store_failures;
  busy += o.busy;
  replays += o.replays;
  snapshots += o.snapshots;
  dropped_edits += o.dropped_edits;
  grace_expired += o.grace_expired;
  merged_while_busy += o.merged_while_busy;
}

void worksheet_sim::check() const {
  const auto snap = room_.snapshot(clients_[0].id, now_);  // the facilitator reads every sheet
  ASSERT_EQ(snap.worksheets_size(), 2);
  // A restart: a new room restored from what the store holds.
  room restored("r1", sim_limits(settings_));
  restored.use_templates(templates_);
  restored.configure(sim_plan());
  for (const auto& [id, stored] : stored_) {
    ASSERT_TRUE(restored.restore_worksheet(stored)) << id;
  }
  auto again = restored.join(1, clients_[0].who, now_);
  ASSERT_TRUE(again.reply && again.reply->has_join());
  const auto restored_snap = restored.snapshot(again.reply->join().member_id(), now_);
  ASSERT_EQ(restored_snap.worksheets_size(), 2);

  for (int i = 0; i < snap.worksheets_size(); ++i) {
    const auto& wire = snap.worksheets(i).document();
    const auto server = ws::document_from_wire(wire);
    ASSERT_TRUE(server);
    const auto& log = stored_.at(wire.instance_id()).log;
    ASSERT_EQ(log.size(), wire.version()) << "every commit is stored";
    std::set<std::pair<std::string, std::uint64_t>> seen;
    for (std::size_t v = 0; v < log.size(); ++v) {
      ASSERT_EQ(log[v].second.version(), v + 1) << "versions are contiguous";
      ASSERT_TRUE(seen.insert({log[v].second.client_id(), log[v].second.client_seq()}).second)
          << "committed twice: " << log[v].second.client_id() << " " << log[v].second.client_seq();
    }
    for (const auto& [instance, client_id, seq] : acknowledged_) {
      if (instance == wire.instance_id()) {
        EXPECT_EQ(seen.count({client_id, seq}), 1U) << "acknowledged, not stored: " << client_id;
      }
    }
    const auto& restored_wire = restored_snap.worksheets(i).document();
    ASSERT_EQ(restored_wire.instance_id(), wire.instance_id());
    EXPECT_EQ(restored_wire.version(), wire.version());
    EXPECT_EQ(by_subject(*ws::document_from_wire(restored_wire), restored),
              by_subject(*server, room_))
        << "the stored log replays to the server's document";
    for (const auto& c : clients_) {
      const auto it = c.sheets.find(wire.instance_id());
      if (!sim_reads(c.who.subject, wire)) {
        EXPECT_EQ(it, c.sheets.end()) << c.who.subject << " holds a sheet outside its scope";
        continue;
      }
      ASSERT_NE(it, c.sheets.end()) << c.who.subject;
      EXPECT_EQ(it->second.version(), wire.version()) << c.who.subject;
      EXPECT_EQ(it->second.confirmed(), *server) << c.who.subject;
      EXPECT_EQ(it->second.view(), *server) << c.who.subject;
    }
  }
}

}  // namespace hearth::core::testing
