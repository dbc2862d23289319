// commit(): a batch of mixed writes is applied whole or not at all, and what
// was committed survives closing and reopening the store.
#include <thread>

#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class commit_test : public store_test {};

TEST_P(commit_test, empty_batch_changes_nothing) {
  db().commit({});
  EXPECT_TRUE(all_audit().empty());
  append_entries(db(), 2);
  db().commit({});
  EXPECT_EQ(all_audit().size(), 2U);
}

TEST_P(commit_test, mixed_batch_is_applied_whole) {
  const auto run = db().begin_run(1000);
  db().commit({entry(1100), attendance_open{"room-1", "sub-1", "participant", 1100},
               alive_mark{run, 1200}, attendance_open{"room-1", "sub-2", "participant", 1150},
               attendance_close{"room-1", "sub-1", 1300}, entry(1300, "sub-1", "room-1", "left")});
  EXPECT_EQ(all_audit().size(), 2U);
  const auto segments = db().attendance("room-1");
  ASSERT_EQ(segments.size(), 2U);
  EXPECT_EQ(segments[0].left_at, 1300);
  EXPECT_EQ(segments[1].left_at, std::nullopt);
}

TEST_P(commit_test, failing_batch_leaves_nothing_behind) {
  const auto run = db().begin_run(1000);
  db().commit({entry(1001, "a"), entry(1002, "b"), entry(1003, "c"),
               attendance_open{"room-1", "sub-1", "participant", 1010}, alive_mark{run, 2000}});
  const auto audit_before = all_audit();
  const auto attendance_before = db().attendance("room-1");
  GetParam().fail_audit_by(dir(), "poison");

  // Every kind of write first; the write that fails is the batch's last.
  const std::vector<write> batch = {
      entry(3001, "d"),
      attendance_open{"room-1", "sub-2", "participant", 3002},
      attendance_close{"room-1", "sub-1", 3003},
      attendance_open{"room-2", "sub-3", "facilitator", 3004},
      alive_mark{run, 9000},
      entry(3005, "e", "room-2"),
      entry(3006, "poison"),
  };
  EXPECT_THROW(db().commit(batch), store_error);

  EXPECT_EQ(all_audit().size(), audit_before.size());
  audit_query by_actor;
  by_actor.actor = "d";
  EXPECT_TRUE(db().audit(by_actor).empty());
  const auto attendance_after = db().attendance("room-1");
  ASSERT_EQ(attendance_after.size(), attendance_before.size());
  EXPECT_EQ(attendance_after[0].left_at, std::nullopt);  // the close did not happen
  EXPECT_TRUE(db().attendance("room-2").empty());
  auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 3);

  // The store keeps working, and its numbering has no hole.
  db().commit({entry(4000, "f")});
  const auto audit_after = all_audit();
  ASSERT_EQ(audit_after.size(), 4U);
  EXPECT_EQ(audit_after[3].seq, 4);
  EXPECT_EQ(audit_after[3].prev_hash, audit_before[2].hash);
  v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 4);

  // The failed batch's alive mark (9000) was not kept either: after a restart
  // the open segment closes at the mark from before it.
  crash_and_reopen();
  db().begin_run(10'000);
  const auto closed = db().attendance("room-1");
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(closed[0].left_at, 2000);
  EXPECT_EQ(closed[0].closed_by, "restart");
}

TEST_P(commit_test, failure_in_the_middle_of_a_batch_rolls_back_the_start) {
  append_entries(db(), 2);
  GetParam().fail_audit_by(dir(), "poison");
  EXPECT_THROW(db().commit({entry(10, "x"), entry(11, "poison"), entry(12, "y")}), store_error);
  EXPECT_EQ(all_audit().size(), 2U);
  // A batch that does not touch the fault still commits.
  db().commit({entry(13, "y")});
  EXPECT_EQ(all_audit().size(), 3U);
}

TEST_P(commit_test, committed_writes_survive_reopening) {
  const auto run = db().begin_run(1000);
  db().commit({entry(1001), attendance_open{"room-1", "sub-1", "participant", 1002},
               attendance_open{"room-1", "sub-2", "participant", 1003},
               attendance_close{"room-1", "sub-2", 1004}, alive_mark{run, 1005}});
  const auto audit_before = all_audit();
  const auto attendance_before = db().attendance("room-1");
  reopen();
  const auto audit_after = all_audit();
  ASSERT_EQ(audit_after.size(), 1U);
  EXPECT_EQ(audit_after[0].entry, audit_before[0].entry);
  EXPECT_EQ(audit_after[0].hash, audit_before[0].hash);
  const auto attendance_after = db().attendance("room-1");
  ASSERT_EQ(attendance_after.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(attendance_after[i].subject, attendance_before[i].subject);
    EXPECT_EQ(attendance_after[i].left_at, attendance_before[i].left_at);
    EXPECT_EQ(attendance_after[i].closed_by, attendance_before[i].closed_by);
  }
}

// The interface promises thread-safe calls: concurrent batches each land whole,
// and the chain stays one chain.
TEST_P(commit_test, concurrent_commits_and_reads_keep_one_chain) {
  constexpr int threads = 4;
  constexpr int batches = 25;
  constexpr int per_batch = 4;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int b = 0; b < batches; ++b) {
        std::vector<write> batch;
        for (int i = 0; i < per_batch; ++i) {
          batch.emplace_back(entry(b, "thread-" + std::to_string(t), "room-1", std::to_string(b)));
        }
        db().commit(batch);
        EXPECT_TRUE(db().verify_audit().ok());
      }
    });
  }
  for (auto& w : workers) {
    w.join();
  }
  const auto records = all_audit();
  ASSERT_EQ(records.size(), static_cast<std::size_t>(threads * batches * per_batch));
  // Each batch's records are consecutive.
  for (std::size_t i = 0; i < records.size(); i += per_batch) {
    for (std::size_t j = 1; j < per_batch; ++j) {
      EXPECT_EQ(records[i + j].entry, records[i].entry) << "seq " << records[i + j].seq;
    }
  }
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, threads * batches * per_batch);
}

// A second store on the same storage (the command line while the server
// runs) appends to the same chain.
TEST_P(commit_test, two_stores_on_the_same_storage_share_one_chain) {
  auto other = GetParam().open(dir());
  std::thread second([&] {
    for (int i = 0; i < 50; ++i) {
      other->commit({entry(i, "cli"), entry(i, "cli")});
    }
  });
  for (int i = 0; i < 50; ++i) {
    db().commit({entry(i, "server"), entry(i, "server")});
  }
  second.join();
  const auto v = other->verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, 200);
  EXPECT_EQ(all_audit().size(), 200U);
}

INSTANTIATE_TEST_SUITE_P(sqlite, commit_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, commit_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
