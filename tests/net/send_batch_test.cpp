// The batch of a turn's sends over real socket pairs and io_uring: every
// frame on its own socket with one submission, reports in the order added
// with what each socket took (all, part, nothing, a failure), a sender that
// closed meanwhile, a sender kept alive until its report, and what add()
// refuses.
#include "net/send_batch.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "socket_pair.hpp"
#include "wire/ws_frame.hpp"

namespace hearth::net {
namespace {

using test_support::frame_of;
using test_support::messages;
using test_support::socket_pair;

struct report {
  std::string frame;
  std::size_t written = 0;
  int error = 0;
};

class recording_sender final : public batched_sender {
 public:
  recording_sender(int fd, std::vector<std::pair<int, report>>& log, int id)
      : fd_(fd), log_(log), id_(id) {}

  int batched_socket() override { return fd_; }
  void batched_send_done(std::string_view frame, std::size_t written, int error) override {
    log_.emplace_back(id_, report{std::string(frame), written, error});
    if (on_report) {
      on_report();
    }
  }

  std::function<void()> on_report;
  int fd_;

 private:
  std::vector<std::pair<int, report>>& log_;
  int id_;
};

// Where the kernel refuses io_uring (kernel.io_uring_disabled, a seccomp
// profile), hearthd sends one by one and these tests have nothing to test.
class send_batching : public ::testing::Test {
 protected:
  void SetUp() override {
    batch = send_batch::for_this_thread();
    if (batch == nullptr) {
      GTEST_SKIP() << "this kernel refuses io_uring: hearthd sends one by one here";
    }
  }

  send_batch* batch = nullptr;
};

TEST_F(send_batching, one_submit_sends_each_frame_on_its_socket_and_reports_in_order) {
  std::vector<std::pair<int, report>> log;
  std::vector<std::unique_ptr<socket_pair>> pairs;
  std::vector<std::vector<wire::shared_bytes>> sent;
  for (int i = 0; i < 10; ++i) {
    pairs.push_back(std::make_unique<socket_pair>());
    sent.push_back(messages(static_cast<std::size_t>(i % 3 + 1), 40 + static_cast<std::size_t>(i),
                            static_cast<char>('a' + i)));
    ASSERT_TRUE(
        batch->add(std::make_shared<recording_sender>(pairs.back()->fds[0], log, i), sent.back()));
  }
  EXPECT_FALSE(batch->empty());
  EXPECT_TRUE(log.empty()) << "nothing is sent before submit";
  EXPECT_EQ(pairs[0]->read_all(), "");
  batch->submit();
  EXPECT_TRUE(batch->empty());
  ASSERT_EQ(log.size(), 10U);
  for (int i = 0; i < 10; ++i) {
    const auto index = static_cast<std::size_t>(i);
    EXPECT_EQ(log[index].first, i);
    EXPECT_EQ(log[index].second.frame, frame_of(sent[index]));
    EXPECT_EQ(log[index].second.written, log[index].second.frame.size());
    EXPECT_EQ(log[index].second.error, 0);
    EXPECT_EQ(pairs[index]->read_all(), frame_of(sent[index]));
  }
}

TEST_F(send_batching, a_full_socket_takes_nothing_and_a_nearly_full_one_takes_part) {
  std::vector<std::pair<int, report>> log;
  socket_pair full(4096);
  full.fill();
  socket_pair open;
  const auto first = messages(1, 1500, 'x');
  const auto second = messages(1, 1500, 'y');
  ASSERT_TRUE(batch->add(std::make_shared<recording_sender>(full.fds[0], log, 1), first));
  ASSERT_TRUE(batch->add(std::make_shared<recording_sender>(open.fds[0], log, 2), second));
  batch->submit();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].second.written, 0U) << "a socket that would block takes nothing";
  EXPECT_EQ(log[0].second.error, 0) << "and that is not a failure";
  EXPECT_EQ(log[1].second.written, frame_of(second).size());

  // Make a little room: the socket takes what fits and the report says how
  // much (all, part or none, as the kernel's accounting goes).
  std::array<char, 4096> some{};
  ASSERT_GT(::recv(full.fds[1], some.data(), some.size(), MSG_DONTWAIT), 0);
  log.clear();
  const auto big = messages(1, 2000, 'z');
  ASSERT_TRUE(batch->add(std::make_shared<recording_sender>(full.fds[0], log, 3), big));
  batch->submit();
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].second.error, 0);
  EXPECT_LE(log[0].second.written, frame_of(big).size());
  const std::string arrived = full.read_all();
  // Whatever was taken is the frame's beginning, after the filler.
  const auto start = arrived.find_first_not_of('f');
  const std::string taken = start == std::string::npos ? "" : arrived.substr(start);
  EXPECT_EQ(taken, frame_of(big).substr(0, log[0].second.written));
}

TEST_F(send_batching, a_sender_that_closed_meanwhile_sends_nothing_and_hears_so) {
  std::vector<std::pair<int, report>> log;
  socket_pair pair;
  auto sender = std::make_shared<recording_sender>(pair.fds[0], log, 1);
  ASSERT_TRUE(batch->add(sender, messages(1, 10, 'a')));
  sender->fd_ = -1;  // the session tore its socket down before the turn ended
  batch->submit();
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].second.written, 0U);
  EXPECT_EQ(log[0].second.error, ECANCELED);
  EXPECT_EQ(pair.read_all(), "");
}

TEST_F(send_batching, a_send_to_a_gone_peer_reports_its_error_without_a_signal) {
  std::vector<std::pair<int, report>> log;
  socket_pair pair;
  ::close(pair.fds[1]);
  pair.fds[1] = ::open("/dev/null", O_RDONLY);  // so the destructor closes something harmless
  ASSERT_TRUE(
      batch->add(std::make_shared<recording_sender>(pair.fds[0], log, 1), messages(1, 10, 'a')));
  batch->submit();
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].second.error, EPIPE);
}

TEST_F(send_batching, the_batch_keeps_its_senders_alive_until_their_reports) {
  std::vector<std::pair<int, report>> log;
  socket_pair pair;
  std::weak_ptr<recording_sender> watched;
  {
    auto sender = std::make_shared<recording_sender>(pair.fds[0], log, 7);
    watched = sender;
    ASSERT_TRUE(batch->add(sender, messages(1, 10, 'a')));
  }
  EXPECT_FALSE(watched.expired());
  batch->submit();
  ASSERT_EQ(log.size(), 1U);
  EXPECT_TRUE(watched.expired()) << "released once reported";
}

TEST_F(send_batching, add_refuses_a_large_frame_a_full_batch_and_a_batch_that_is_reporting) {
  std::vector<std::pair<int, report>> log;
  socket_pair pair;
  auto sender = std::make_shared<recording_sender>(pair.fds[0], log, 1);
  EXPECT_FALSE(batch->add(sender, messages(1, send_batch::max_frame_bytes, 'a')))
      << "over the copy limit: sent from the messages in place";
  EXPECT_TRUE(batch->empty());

  for (unsigned i = 0; i < send_batch::max_sends; ++i) {
    ASSERT_TRUE(batch->add(sender, messages(1, 1, 'a'))) << i;
  }
  EXPECT_FALSE(batch->add(sender, messages(1, 1, 'a'))) << "the ring holds max_sends";
  batch->submit();
  EXPECT_EQ(log.size(), send_batch::max_sends);
  EXPECT_EQ(pair.read_all().size(), std::size_t{send_batch::max_sends} * 3);

  log.clear();
  bool added_while_reporting = true;
  sender->on_report = [&] { added_while_reporting = batch->add(sender, messages(1, 1, 'b')); };
  ASSERT_TRUE(batch->add(sender, messages(1, 1, 'a')));
  batch->submit();
  sender->on_report = nullptr;
  EXPECT_FALSE(added_while_reporting) << "a report's writes go out one by one, behind it";
  EXPECT_TRUE(batch->empty());
}

TEST_F(send_batching, sends_the_kernel_did_not_take_go_out_once_one_by_one) {
  // A thread of its own: its batch stops batching after this, and the other
  // tests' batch must not.
  std::vector<std::pair<int, report>> log;
  std::vector<std::unique_ptr<socket_pair>> pairs;
  std::vector<std::vector<wire::shared_bytes>> sent;
  bool later_send_reported = false;
  std::thread([&] {
    send_batch* own = send_batch::for_this_thread();
    ASSERT_NE(own, nullptr);
    ASSERT_NE(own, batch);
    own->limit_submission_for_testing(2);
    for (int i = 0; i < 5; ++i) {
      pairs.push_back(std::make_unique<socket_pair>());
      sent.push_back(messages(1, 30, static_cast<char>('a' + i)));
      ASSERT_TRUE(
          own->add(std::make_shared<recording_sender>(pairs.back()->fds[0], log, i), sent.back()));
    }
    own->submit();
    auto sender = std::make_shared<recording_sender>(pairs[0]->fds[0], log, 9);
    EXPECT_FALSE(own->add(sender, messages(1, 30, 'z'))) << "no more batching on this thread";
    later_send_reported = !log.empty();
  }).join();
  ASSERT_TRUE(later_send_reported);
  ASSERT_EQ(log.size(), 5U);
  for (int i = 0; i < 5; ++i) {
    const auto index = static_cast<std::size_t>(i);
    EXPECT_EQ(log[index].first, i) << "reports in the order added";
    EXPECT_EQ(log[index].second.written, frame_of(sent[index]).size()) << i;
    EXPECT_EQ(log[index].second.error, 0) << i;
    EXPECT_EQ(pairs[index]->read_all(), frame_of(sent[index])) << "each frame exactly once: " << i;
  }
}

}  // namespace
}  // namespace hearth::net
