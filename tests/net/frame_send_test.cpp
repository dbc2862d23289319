// The direct batch write over a real socket pair: the frame on the wire, a
// write the socket takes only in part, one that takes nothing, and the cap on
// buffers per call.
#include "net/frame_send.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>

#include "socket_pair.hpp"
#include "wire/ws_frame.hpp"

namespace hearth::net {
namespace {

using test_support::frame_of;
using test_support::messages;
using test_support::socket_pair;

TEST(frame_send, one_call_sends_the_whole_frame_header_first) {
  socket_pair pair;
  const auto batch = messages(5, 300);
  const auto result = send_batch_frame(pair.fds[0], batch);
  EXPECT_EQ(result.error, 0);
  EXPECT_EQ(result.total, frame_of(batch).size());
  EXPECT_EQ(result.written, result.total);
  EXPECT_EQ(pair.read_all(), frame_of(batch));
}

TEST(frame_send, a_small_frame_of_many_messages_goes_whole_in_one_call) {
  socket_pair pair;
  const auto batch =
      messages(150, 10);  // more messages than iovecs, fewer bytes than the copy limit
  ASSERT_LE(frame_of(batch).size(), max_copied_frame_bytes);
  const auto result = send_batch_frame(pair.fds[0], batch);
  EXPECT_EQ(result.error, 0);
  EXPECT_EQ(result.written, result.total);
  EXPECT_EQ(pair.read_all(), frame_of(batch));
  // A one-message frame a byte short of the copy limit, at it, and a byte over.
  for (const std::size_t size :
       {max_copied_frame_bytes - 5, max_copied_frame_bytes - 4, max_copied_frame_bytes - 3}) {
    const auto one = messages(1, size);
    ASSERT_EQ(frame_of(one).size(), size + 4);
    EXPECT_EQ(send_batch_frame(pair.fds[0], one).written, size + 4);
    EXPECT_EQ(pair.read_all(), frame_of(one));
  }
}

TEST(frame_send, at_most_max_iovecs_buffers_go_in_one_call) {
  socket_pair pair;
  const auto batch = messages(200, 20);  // 4 KB: the socket could take it all
  ASSERT_GT(frame_of(batch).size(), max_copied_frame_bytes);
  const auto result = send_batch_frame(pair.fds[0], batch);
  EXPECT_EQ(result.error, 0);
  const std::string whole = frame_of(batch);
  const std::size_t header = whole.size() - std::size_t{200} * 20;
  EXPECT_EQ(result.written, header + (max_iovecs - 1) * 20);
  EXPECT_LT(result.written, result.total);
  EXPECT_EQ(pair.read_all(), whole.substr(0, result.written));
}

TEST(frame_send, a_full_socket_takes_part_then_nothing) {
  socket_pair pair;
  const int small = 4096;
  ASSERT_EQ(::setsockopt(pair.fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  const auto batch = messages(20, 60'000);  // far more than the buffers hold
  const auto first = send_batch_frame(pair.fds[0], batch);
  EXPECT_EQ(first.error, 0);
  EXPECT_GT(first.written, 0U);
  EXPECT_LT(first.written, first.total);
  const auto second = send_batch_frame(pair.fds[0], batch);
  EXPECT_EQ(second.error, 0);
  EXPECT_EQ(second.written, 0U);  // would block: nothing taken, no error
  EXPECT_EQ(pair.read_all(), frame_of(batch).substr(0, first.written));
}

TEST(frame_send, a_closed_peer_is_an_error_without_a_signal) {
  socket_pair pair;
  ::shutdown(pair.fds[1], SHUT_RD);
  ::close(pair.fds[1]);
  pair.fds[1] = ::open("/dev/null", O_RDONLY);  // so the destructor closes something valid
  const auto result = send_batch_frame(pair.fds[0], messages(1, 10));
  EXPECT_EQ(result.error, EPIPE);  // MSG_NOSIGNAL: reported, not raised
  EXPECT_EQ(result.written, 0U);
}

}  // namespace
}  // namespace hearth::net
