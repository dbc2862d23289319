// store_writer over a real store: every write committed exactly once, in the
// order each thread submitted it, with one completion each.
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "store/store_writer.hpp"
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

class writer_test : public store_test {};

// Forwards to a real store; the first commit waits until released, so that
// everything submitted meanwhile queues up.
class held_store final : public store {
 public:
  explicit held_store(store& inner) : inner_(inner) {}
  void release() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    cv_.notify_all();
  }
  void commit(const std::vector<write>& batch) override {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return !held_; });
    }
    inner_.commit(batch);
  }
  std::int64_t begin_run(time_ms now) override { return inner_.begin_run(now); }
  std::vector<audit_record> audit(const audit_query& q) override { return inner_.audit(q); }
  audit_verification verify_audit() override { return inner_.verify_audit(); }
  std::vector<attendance_segment> attendance(const std::string& s) override {
    return inner_.attendance(s);
  }
  std::optional<session_record> session(const std::string& id) override {
    return inner_.session(id);
  }
  std::vector<session_record> sessions(time_ms from, time_ms to) override {
    return inner_.sessions(from, to);
  }
  std::vector<attendance_segment> attendance_of(const std::string& subject, time_ms from,
                                                time_ms to) override {
    return inner_.attendance_of(subject, from, to);
  }

 private:
  store& inner_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool held_ = true;
};

TEST_P(writer_test, writes_from_several_threads_are_committed_exactly_once) {
  constexpr int threads = 4;
  constexpr int per_thread = 2500;
  std::vector<std::atomic<int>> calls(threads * per_thread);
  std::atomic<int> refused{0};
  std::atomic<int> failed{0};
  std::uint64_t commits = 0;
  {
    store_writer writer(db(), writer_limits{});
    std::vector<std::thread> submitters;
    for (int t = 0; t < threads; ++t) {
      submitters.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          const auto slot = static_cast<std::size_t>(t * per_thread + i);
          const bool queued =
              writer.submit(entry(i, "thread-" + std::to_string(t), "room-1", std::to_string(i)),
                            [&, slot](bool committed) {
                              calls[slot].fetch_add(1);
                              if (!committed) failed.fetch_add(1);
                            });
          if (!queued) refused.fetch_add(1);
        }
      });
    }
    for (auto& s : submitters) {
      s.join();
    }
    writer.flush();
    commits = writer.commits();
    EXPECT_EQ(writer.failures(), 0U);
  }
  EXPECT_EQ(refused.load(), 0);
  EXPECT_EQ(failed.load(), 0);
  for (std::size_t slot = 0; slot < calls.size(); ++slot) {
    ASSERT_EQ(calls[slot].load(), 1) << "write " << slot;
  }
  EXPECT_LT(commits, static_cast<std::uint64_t>(threads * per_thread));  // grouped

  const auto records = all_audit();
  ASSERT_EQ(records.size(), static_cast<std::size_t>(threads * per_thread));
  std::map<std::string, int> next;  // per thread: the detail expected next
  for (const auto& r : records) {
    ASSERT_EQ(r.entry.detail, std::to_string(next[r.entry.actor]++)) << "seq " << r.seq;
  }
  for (int t = 0; t < threads; ++t) {
    EXPECT_EQ(next["thread-" + std::to_string(t)], per_thread);
  }
  const auto v = db().verify_audit();
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.records, threads * per_thread);
}

TEST_P(writer_test, queued_writes_are_committed_in_few_batches) {
  constexpr int n = 10'000;
  held_store held(db());
  writer_limits limits;
  limits.max_batch = 1000;
  store_writer writer(held, limits);
  int done = 0;  // completions run on the writer thread, one at a time
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(writer.submit(entry(i), [&](bool ok) { done += ok ? 1 : 0; }));
  }
  held.release();
  writer.flush();
  EXPECT_EQ(done, n);
  // At most one commit ran before the rest queued, then full batches.
  EXPECT_LE(writer.commits(), 1U + (n - 1 + limits.max_batch - 1) / limits.max_batch);
  EXPECT_GE(writer.commits(), static_cast<std::uint64_t>(n) / limits.max_batch);
  EXPECT_EQ(all_audit().size(), static_cast<std::size_t>(n));
}

TEST_P(writer_test, flush_waits_for_commit_and_completions) {
  store_writer writer(db(), writer_limits{});
  std::atomic<int> done{0};
  for (int round = 1; round <= 3; ++round) {
    for (int i = 0; i < 100; ++i) {
      writer.submit(
          attendance_open{"room-1", "sub-" + std::to_string(round * 1000 + i), "participant", i},
          [&](bool) { done.fetch_add(1); });
      writer.submit(entry(i), [&](bool) { done.fetch_add(1); });
    }
    writer.flush();
    EXPECT_EQ(done.load(), round * 200);
    EXPECT_EQ(all_audit().size(), static_cast<std::size_t>(round * 100));
    EXPECT_EQ(db().attendance("room-1").size(), static_cast<std::size_t>(round * 100));
  }
  writer.flush();  // nothing pending: returns
}

TEST_P(writer_test, destructor_commits_what_is_queued) {
  std::atomic<int> done{0};
  {
    held_store held(db());
    store_writer writer(held, writer_limits{});
    for (int i = 0; i < 500; ++i) {
      writer.submit(entry(i), [&](bool ok) { done.fetch_add(ok ? 1 : 0); });
    }
    held.release();
  }  // no flush
  EXPECT_EQ(done.load(), 500);
  EXPECT_EQ(all_audit().size(), 500U);
  EXPECT_TRUE(db().verify_audit().ok());
}

INSTANTIATE_TEST_SUITE_P(sqlite, writer_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, writer_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
