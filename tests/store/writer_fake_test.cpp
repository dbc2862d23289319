// store_writer against a fake store that stands for a failing disk, and one
// that can be held mid-commit: failures, recovery, batch and queue limits,
// where reads fall between batches, and which records wait for more.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "store/store_writer.hpp"
#include "store_fixture.hpp"

namespace hearth::store::testing {
namespace {

// Records committed batches; throws store_error(full) while `failing` is set;
// while `hold` is set, commit() waits (after saying it was entered).
class fake_store final : public store {
 public:
  std::atomic<bool> failing{false};

  void commit(const std::vector<write>& batch) override {
    std::unique_lock lock(mutex_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !held_; });
    if (failing.load()) {
      throw store_error(store_error::kind::full, "disk full (fake)");
    }
    batches_.push_back(batch.size());
    writes_ += batch.size();
    cv_.notify_all();
  }
  std::int64_t begin_run(time_ms) override { return 1; }
  std::vector<audit_record> audit(const audit_query&) override { return {}; }
  audit_verification verify_audit() override { return {}; }
  std::vector<attendance_segment> attendance(const std::string&) override { return {}; }
  std::optional<session_record> session(const std::string&) override { return std::nullopt; }
  std::vector<session_record> sessions(time_ms, time_ms) override { return {}; }
  std::vector<ban_record> bans(const std::string&) override { return {}; }
  std::vector<consent_record> consents(const std::string&) override { return {}; }
  std::vector<worksheet_record> worksheets(const std::string&) override { return {}; }
  std::vector<worksheet_template_record> worksheet_templates(retired_templates) override {
    return {};
  }
  std::vector<attendance_segment> attendance_of(const std::string&, time_ms, time_ms) override {
    return {};
  }
  std::vector<kept_chat_message> kept_chat(const std::string&) override { return {}; }
  purge_report purge(const purge_request&) override { return {}; }

  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    cv_.notify_all();
  }
  // Waits until commit() has been entered `n` times in all.
  void wait_entered(int n) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  std::vector<std::size_t> batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  std::size_t writes() {
    std::lock_guard lock(mutex_);
    return writes_;
  }
  // Waits (at most `limit`) until `n` writes were committed in all.
  bool wait_writes(std::size_t n, std::chrono::seconds limit) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return writes_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool held_ = false;
  int entered_ = 0;
  std::vector<std::size_t> batches_;
  std::size_t writes_ = 0;
};

struct outcomes {
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  store_writer::completion track() {
    return [this](bool committed) { (committed ? ok : failed).fetch_add(1); };
  }
};

TEST(store_writer, failed_commits_complete_false_then_writes_succeed_again) {
  fake_store fake;
  store_writer writer(fake, writer_limits{});
  outcomes first;
  fake.failing = true;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(writer.submit(entry(i), first.track()));
  }
  writer.flush();
  EXPECT_EQ(first.ok.load(), 0);
  EXPECT_EQ(first.failed.load(), 50);
  EXPECT_GE(writer.failures(), 1U);
  EXPECT_EQ(writer.commits(), 0U);
  EXPECT_EQ(fake.writes(), 0U);
  const auto failures = writer.failures();

  fake.failing = false;
  outcomes second;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(writer.submit(entry(i), second.track()));
  }
  writer.flush();
  EXPECT_EQ(second.ok.load(), 50);
  EXPECT_EQ(second.failed.load(), 0);
  EXPECT_EQ(writer.failures(), failures);
  EXPECT_GE(writer.commits(), 1U);
  EXPECT_EQ(fake.writes(), 50U);  // failed writes are not retried
  EXPECT_EQ(first.failed.load(), 50);
}

TEST(store_writer, failures_count_failed_batches) {
  fake_store fake;
  writer_limits limits;
  limits.max_batch = 10;
  store_writer writer(fake, limits);
  outcomes result;
  fake.failing = true;
  fake.hold();
  ASSERT_TRUE(writer.submit(entry(0), result.track()));
  fake.wait_entered(1);  // the first batch is one write; 25 more queue behind it
  for (int i = 1; i <= 25; ++i) {
    ASSERT_TRUE(writer.submit(entry(i), result.track()));
  }
  fake.release();
  writer.flush();
  EXPECT_EQ(writer.failures(), 4U);  // 1, then 10 + 10 + 5
  EXPECT_EQ(writer.commits(), 0U);
  EXPECT_EQ(result.failed.load(), 26);
}

TEST(store_writer, batches_respect_max_batch_and_keep_order) {
  fake_store fake;
  writer_limits limits;
  limits.max_batch = 7;
  store_writer writer(fake, limits);
  fake.hold();
  std::vector<int> order;  // completions run on the writer thread only
  ASSERT_TRUE(writer.submit(entry(0), [&](bool) { order.push_back(0); }));
  fake.wait_entered(1);
  for (int i = 1; i < 100; ++i) {
    ASSERT_TRUE(writer.submit(entry(i), [&, i](bool) { order.push_back(i); }));
  }
  fake.release();
  writer.flush();
  const auto batches = fake.batches();
  ASSERT_FALSE(batches.empty());
  EXPECT_EQ(batches[0], 1U);
  for (std::size_t i = 1; i + 1 < batches.size(); ++i) {
    EXPECT_EQ(batches[i], 7U) << "batch " << i;  // everything was queued: full batches
  }
  EXPECT_EQ(fake.writes(), 100U);
  ASSERT_EQ(order.size(), 100U);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
  }
}

TEST(store_writer, submit_beyond_max_queued_is_refused) {
  fake_store fake;
  writer_limits limits;
  limits.max_queued = 5;
  store_writer writer(fake, limits);
  outcomes result;
  fake.hold();
  ASSERT_TRUE(writer.submit(entry(0), result.track()));
  fake.wait_entered(1);  // taken off the queue: the queue is empty again
  for (int i = 1; i <= 5; ++i) {
    EXPECT_TRUE(writer.submit(entry(i), result.track())) << i;
  }
  bool called = false;
  EXPECT_FALSE(writer.submit(entry(6), [&](bool) { called = true; }));
  EXPECT_FALSE(writer.submit(alive_mark{1, 7}));
  fake.release();
  writer.flush();
  EXPECT_FALSE(called);  // a refused write never completes
  EXPECT_EQ(result.ok.load(), 6);
  EXPECT_EQ(fake.writes(), 6U);
  // With the queue drained, submissions are accepted again.
  EXPECT_TRUE(writer.submit(entry(8), result.track()));
  writer.flush();
  EXPECT_EQ(result.ok.load(), 7);
}

TEST(store_writer, destructor_commits_queued_writes_even_after_failures) {
  fake_store fake;
  outcomes result;
  {
    store_writer writer(fake, writer_limits{});
    fake.failing = true;
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(writer.submit(entry(i), result.track()));
    }
    writer.flush();
    fake.failing = false;
    for (int i = 20; i < 40; ++i) {
      ASSERT_TRUE(writer.submit(entry(i), result.track()));
    }
  }  // no flush
  EXPECT_EQ(result.failed.load(), 20);
  EXPECT_EQ(result.ok.load(), 20);
  EXPECT_EQ(fake.writes(), 20U);
}

TEST(store_writer, writes_without_completion_are_fine) {
  fake_store fake;
  store_writer writer(fake, writer_limits{});
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(writer.submit(attendance_close{"room-1", "sub-1", i}));
  }
  writer.flush();
  EXPECT_EQ(fake.writes(), 10U);
  fake.failing = true;
  ASSERT_TRUE(writer.submit(alive_mark{1, 1}));
  writer.flush();
  EXPECT_EQ(writer.failures(), 1U);
}

// A batch ends at the first queued read, which runs once that batch
// committed and before anything submitted after it.
TEST(store_writer, a_batch_stops_at_the_first_read) {
  fake_store fake;
  store_writer writer(fake, writer_limits{});
  fake.hold();
  std::vector<std::string> order;  // completions and reads run on the writer thread only
  auto write_done = [&](int i) { return [&, i](bool) { order.push_back(std::to_string(i)); }; };
  auto read_saw = [&](const std::string& name) {
    return [&, name](store&) { order.push_back(name + " saw " + std::to_string(fake.writes())); };
  };
  ASSERT_TRUE(writer.submit(entry(0), write_done(0)));
  fake.wait_entered(1);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(writer.submit(entry(i), write_done(i)));
  }
  ASSERT_TRUE(writer.read(read_saw("a")));
  ASSERT_TRUE(writer.read(read_saw("b")));
  for (int i = 6; i <= 8; ++i) {
    ASSERT_TRUE(writer.submit(entry(i), write_done(i)));
  }
  ASSERT_TRUE(writer.read(read_saw("c")));
  fake.release();
  writer.flush();
  EXPECT_EQ(fake.batches(), (std::vector<std::size_t>{1, 5, 3}));
  EXPECT_EQ(order, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "a saw 6", "b saw 6",
                                             "6", "7", "8", "c saw 9"}));
  EXPECT_EQ(writer.commits(), 3U);  // reads are not commits
}

// A read waits for the writes before it to be attempted, not to succeed.
TEST(store_writer, a_read_runs_after_a_failed_batch) {
  fake_store fake;
  store_writer writer(fake, writer_limits{});
  fake.failing = true;
  outcomes result;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(writer.submit(entry(i), result.track()));
  }
  int failed_before_read = -1;
  ASSERT_TRUE(writer.read([&](store&) { failed_before_read = result.failed.load(); }));
  writer.flush();
  EXPECT_EQ(failed_before_read, 10);
  EXPECT_EQ(writer.commits(), 0U);
  EXPECT_GE(writer.failures(), 1U);
}

// Limits whose records nobody waits for linger for an hour: longer than any test.
writer_limits lingering() {
  writer_limits limits;
  limits.linger = std::chrono::hours(1);
  return limits;
}

// Records nobody waits for linger (here for an hour) and share one commit
// with what follows them; the first record that is waited for commits them all.
TEST(store_writer, records_nobody_waits_for_wait_for_the_next_commit) {
  fake_store fake;
  store_writer writer(fake, lingering());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(writer.submit(attendance_close{"room-1", "sub-1", i}));
  }
  std::promise<bool> committed;
  ASSERT_TRUE(writer.submit(entry(10), [&](bool ok) { committed.set_value(ok); }));
  auto done = committed.get_future();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "a write someone waits for must not linger";
  EXPECT_TRUE(done.get());
  EXPECT_EQ(fake.batches(), (std::vector<std::size_t>{11}));
}

TEST(store_writer, a_read_does_not_wait_for_the_linger) {
  fake_store fake;
  store_writer writer(fake, lingering());
  ASSERT_TRUE(writer.submit(alive_mark{1, 1}));
  std::promise<std::size_t> seen;
  ASSERT_TRUE(writer.read([&](store&) { seen.set_value(fake.writes()); }));
  auto answer = seen.get_future();
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(answer.get(), 1U);  // the lingering record committed first
}

TEST(store_writer, flush_and_the_destructor_cut_the_linger) {
  fake_store fake;
  {
    store_writer writer(fake, lingering());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(writer.submit(attendance_close{"room-1", "sub-1", i}));
    }
    writer.flush();
    EXPECT_EQ(fake.batches(), (std::vector<std::size_t>{3}));
    ASSERT_TRUE(writer.submit(alive_mark{1, 1}));
  }
  EXPECT_EQ(fake.writes(), 4U);
}

TEST(store_writer, a_full_batch_does_not_linger) {
  fake_store fake;
  auto limits = lingering();
  limits.max_batch = 4;
  store_writer writer(fake, limits);
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(writer.submit(attendance_close{"room-1", "sub-1", i}));
  }
  EXPECT_TRUE(fake.wait_writes(4, std::chrono::seconds(30)));
}

// Lingering ends by itself: a lone record commits without anything after it.
TEST(store_writer, a_lingering_record_commits_on_its_own) {
  for (const auto linger : {std::chrono::milliseconds(0), std::chrono::milliseconds(20)}) {
    fake_store fake;
    writer_limits limits;
    limits.linger = linger;
    store_writer writer(fake, limits);
    ASSERT_TRUE(writer.submit(alive_mark{1, 1}));
    EXPECT_TRUE(fake.wait_writes(1, std::chrono::seconds(30))) << linger.count() << " ms";
  }
}

}  // namespace
}  // namespace hearth::store::testing
