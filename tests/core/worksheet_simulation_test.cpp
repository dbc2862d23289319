// Whole-system worksheet simulation against the real room core
// (worksheet_sim.hpp): a session sheet everyone edits and a family sheet,
// clients editing at random, each connection delivering in its own order,
// commits held until a simulated store commits them in groups (or fails),
// batches queued behind a commit (and refused when the queue is full),
// disconnects that lose what was on the wire, resumes by replay or by
// snapshot, members whose grace runs out and who return, duplicate submits.
// At quiescence every replica equals the server, the stored log is
// contiguous, holds each client batch at most once and every acknowledged
// one exactly once, and replays (as after a restart) to the same document.
// The seed is printed; HEARTH_TEST_SEED=N replays one run.
#include <gtest/gtest.h>

#include <iostream>

#include "worksheet_sim.hpp"

namespace hearth::core::testing {
namespace {

TEST(worksheet_simulation, replicas_converge_on_the_rooms_document) {
  const auto seed = worksheets::testing::test_seed();
  // Long histories resume by replay; short ones force snapshots. A queue of
  // one per sheet makes the room refuse batches as busy (with two, some
  // seeds never filled it).
  const sim_settings variants[] = {
      {1000, 64, 15'000}, {40, 64, 15'000}, {6, 64, 15'000}, {1000, 1, 15'000}, {6, 1, 3'000}};
  sim_counts total;
  for (std::uint64_t run = 0; run < 15; ++run) {
    SCOPED_TRACE("run " + std::to_string(run) + " (seed " + std::to_string(seed + run * 101) + ")");
    worksheet_sim sim(seed + run * 101, variants[run % std::size(variants)]);
    for (int i = 0; i < 3000; ++i) {
      sim.step();
      if (::testing::Test::HasFatalFailure()) {
        return;
      }
    }
    sim.settle();
    if (::testing::Test::HasFatalFailure()) {
      return;
    }
    sim.check();
    total.add(sim.counts());
    if (::testing::Test::HasFailure()) {
      return;
    }
  }
  std::cout << total.commits << " commits; " << total.resubmissions << " resubmissions answered; "
            << total.refused << " refused after transformation; " << total.store_failures
            << " store failures; " << total.busy << " refused as busy; " << total.replays
            << " resumes by replay, " << total.snapshots << " by snapshot (" << total.dropped_edits
            << " with unsent edits dropped); " << total.grace_expired
            << " returns after the grace ran out; " << total.merged_while_busy
            << " commits merged under unsent edits\n";
  // The run went through every path it is meant to.
  EXPECT_GT(total.resubmissions, 0U);
  EXPECT_GT(total.refused, 0U);
  EXPECT_GT(total.store_failures, 0U);
  EXPECT_GT(total.busy, 0U);
  EXPECT_GT(total.replays, 0U);
  EXPECT_GT(total.snapshots, 0U);
  EXPECT_GT(total.grace_expired, 0U);
  EXPECT_GT(total.merged_while_busy, 0U);
}

}  // namespace
}  // namespace hearth::core::testing
