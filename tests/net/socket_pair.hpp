// What the tests of the direct write and the batch of sends share: a Unix
// socket pair whose sending end does not block, messages of recognizable
// bytes, and the binary frame the server makes of them.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "wire/frame_codec.hpp"
#include "wire/ws_frame.hpp"

namespace hearth::net::test_support {

struct socket_pair {
  // A send buffer of `send_buffer` bytes if given, else the system's.
  explicit socket_pair(int send_buffer = 0) {
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds.data()), 0);
    EXPECT_EQ(::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK), 0);
    if (send_buffer > 0) {
      EXPECT_EQ(::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer), 0);
    }
  }
  ~socket_pair() {
    close_sender();
    ::close(fds[1]);
  }
  socket_pair(const socket_pair&) = delete;
  socket_pair& operator=(const socket_pair&) = delete;

  void close_sender() {
    if (fds[0] >= 0) {
      ::close(fds[0]);
      fds[0] = -1;
    }
  }

  // Everything that arrived so far, without waiting.
  std::string read_all() const {
    std::string out;
    std::array<char, 65536> chunk{};
    for (;;) {
      const ssize_t n = ::recv(fds[1], chunk.data(), chunk.size(), MSG_DONTWAIT);
      if (n <= 0) {
        return out;
      }
      out.append(chunk.data(), static_cast<std::size_t>(n));
    }
  }

  // Sends filler ('f') until the socket takes no more; returns how much it took.
  std::size_t fill() const {
    const std::string filler(4096, 'f');
    std::size_t total = 0;
    for (;;) {
      const ssize_t n = ::send(fds[0], filler.data(), filler.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n <= 0) {
        return total;
      }
      total += static_cast<std::size_t>(n);
    }
  }

  std::array<int, 2> fds{};
};

// `count` messages of `size` bytes, the first all `first`, the next all the
// letter after it, and so on (wrapping after 'z').
inline std::vector<wire::shared_bytes> messages(std::size_t count, std::size_t size,
                                                char first = 'a') {
  std::vector<wire::shared_bytes> batch;
  for (std::size_t i = 0; i < count; ++i) {
    const auto letter = static_cast<char>('a' + (static_cast<std::size_t>(first - 'a') + i) % 26);
    batch.push_back(wire::shared_bytes::copy_of(std::string(size, letter)));
  }
  return batch;
}

// One binary server frame around every message of `batch`.
inline std::string frame_of(const std::vector<wire::shared_bytes>& batch) {
  std::string body;
  for (const auto& m : batch) {
    body += m.view();
  }
  std::array<std::uint8_t, wire::ws::max_header_bytes> header{};
  const auto n = wire::ws::write_server_header(wire::ws::opcode::binary, body.size(), header);
  return std::string(reinterpret_cast<const char*>(header.data()), n) + body;
}

}  // namespace hearth::net::test_support
