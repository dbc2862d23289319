// store_writer over a real store: every write committed exactly once, in the
// order each thread submitted it, with one completion each; reads run on the
// writer thread and see every write submitted before them.
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
  // Waits until the first commit has been entered.
  void wait_entered() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void commit(const std::vector<write>& batch) override {
    {
      std::unique_lock lock(mutex_);
      entered_ = true;
      cv_.notify_all();
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
  std::vector<ban_record> bans(const std::string& session) override { return inner_.bans(session); }
  std::vector<consent_record> consents(const std::string& session) override {
    return inner_.consents(session);
  }
  std::vector<worksheet_record> worksheets(const std::string& session) override {
    return inner_.worksheets(session);
  }
  std::vector<worksheet_template_record> worksheet_templates(retired_templates which) override {
    return inner_.worksheet_templates(which);
  }
  std::vector<attendance_segment> attendance_of(const std::string& subject, time_ms from,
                                                time_ms to) override {
    return inner_.attendance_of(subject, from, to);
  }
  std::vector<kept_chat_message> kept_chat(const std::string& session) override {
    return inner_.kept_chat(session);
  }
  purge_report purge(const purge_request& request) override { return inner_.purge(request); }

 private:
  store& inner_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool held_ = true;
  bool entered_ = false;
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

TEST_P(writer_test, a_read_sees_the_writes_submitted_before_it) {
  held_store held(db());
  store_writer writer(held, writer_limits{});
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(writer.submit(entry(i)));
    ASSERT_TRUE(writer.submit(
        ban_put{"room-1", "sub-" + std::to_string(i), "Name", "participant", "fac-1", i}));
  }
  std::size_t audit_seen = 0;
  std::vector<ban_record> bans_seen;
  ASSERT_TRUE(writer.read([&](store& s) {
    audit_seen = s.audit({}).size();
    bans_seen = s.bans("room-1");
  }));
  // Submitted after the read: not seen by it, seen by the next.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(writer.submit(ban_lift{"room-1", "sub-" + std::to_string(i)}));
  }
  std::size_t bans_after = 0;
  ASSERT_TRUE(writer.read([&](store& s) { bans_after = s.bans("room-1").size(); }));
  held.release();
  writer.flush();
  EXPECT_EQ(audit_seen, 50U);
  ASSERT_EQ(bans_seen.size(), 50U);
  EXPECT_EQ(bans_seen.front().subject, "sub-0");
  EXPECT_EQ(bans_seen.back().subject, "sub-49");
  EXPECT_EQ(bans_after, 40U);
  EXPECT_EQ(db().bans("room-1").size(), 40U);
}

TEST_P(writer_test, reads_run_on_the_writer_thread) {
  store_writer writer(db(), writer_limits{});
  std::thread::id wrote_on;
  std::thread::id read_on;
  ASSERT_TRUE(writer.submit(entry(1), [&](bool) { wrote_on = std::this_thread::get_id(); }));
  ASSERT_TRUE(writer.read([&](store&) { read_on = std::this_thread::get_id(); }));
  writer.flush();
  EXPECT_NE(read_on, std::thread::id{});
  EXPECT_NE(read_on, std::this_thread::get_id());
  EXPECT_EQ(read_on, wrote_on);
}

// A read takes a queue slot like a write: on a full queue it is refused and
// never runs.
TEST_P(writer_test, a_read_on_a_full_queue_is_refused) {
  held_store held(db());
  writer_limits limits;
  limits.max_queued = 3;
  store_writer writer(held, limits);
  ASSERT_TRUE(writer.submit(entry(0)));
  held.wait_entered();  // taken off the queue: the queue is empty again
  ASSERT_TRUE(writer.submit(entry(1)));
  std::size_t first_saw = 0;
  ASSERT_TRUE(writer.read([&](store& s) { first_saw = s.audit({}).size(); }));
  ASSERT_TRUE(writer.submit(entry(2)));
  bool refused_ran = false;
  EXPECT_FALSE(writer.read([&](store&) { refused_ran = true; }));
  EXPECT_FALSE(writer.submit(entry(3)));
  held.release();
  writer.flush();
  EXPECT_FALSE(refused_ran);
  EXPECT_EQ(first_saw, 2U);
  // With the queue drained, reads are accepted again.
  std::size_t later_saw = 0;
  ASSERT_TRUE(writer.read([&](store& s) { later_saw = s.audit({}).size(); }));
  writer.flush();
  EXPECT_EQ(later_saw, 3U);
}

TEST_P(writer_test, a_throwing_read_does_not_stop_later_writes) {
  store_writer writer(db(), writer_limits{});
  ASSERT_TRUE(writer.submit(entry(0)));
  ASSERT_TRUE(
      writer.read([](store&) { throw store_error(store_error::kind::io, "read failed (test)"); }));
  std::atomic<int> committed{0};
  for (int i = 1; i <= 20; ++i) {
    ASSERT_TRUE(writer.submit(entry(i), [&](bool ok) { committed.fetch_add(ok ? 1 : 0); }));
  }
  std::size_t seen = 0;
  ASSERT_TRUE(writer.read([&](store& s) { seen = s.audit({}).size(); }));
  writer.flush();
  EXPECT_EQ(committed.load(), 20);
  EXPECT_EQ(seen, 21U);
  EXPECT_EQ(writer.failures(), 0U);  // a failed read is no failed commit
  EXPECT_EQ(all_audit().size(), 21U);
}

INSTANTIATE_TEST_SUITE_P(sqlite, writer_test, ::testing::Values(sqlite_backend()));
INSTANTIATE_TEST_SUITE_P(postgres, writer_test, ::testing::Values(postgres_backend()));

}  // namespace
}  // namespace hearth::store::testing
