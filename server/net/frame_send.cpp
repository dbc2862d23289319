// One system call per batch.
#include "net/frame_send.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "net/socket_calls.hpp"
#include "wire/ws_frame.hpp"

namespace hearth::net {

frame_send_result send_batch_frame(int fd, std::span<const wire::shared_bytes> batch) {
  frame_send_result result;
  for (const auto& bytes : batch) {
    result.total += bytes.size();
  }
  std::array<std::uint8_t, wire::ws::max_header_bytes> header{};
  const std::size_t header_bytes =
      wire::ws::write_server_header(wire::ws::opcode::binary, result.total, header);
  result.total += header_bytes;

  ssize_t sent = -1;
  if (result.total <= max_copied_frame_bytes) {
    // Left uninitialized: only the frame's bytes are written and read.
    std::array<char, max_copied_frame_bytes>
        frame;  // NOLINT(cppcoreguidelines-pro-type-member-init)
    std::memcpy(frame.data(), header.data(), header_bytes);
    std::size_t at = header_bytes;
    for (const auto& bytes : batch) {
      std::memcpy(frame.data() + at, bytes.data(), bytes.size());
      at += bytes.size();
    }
    do {
      sent = send_bytes(fd, frame.data(), result.total, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
  } else {
    // Left uninitialized: only the first `count` entries are set and read, and
    // clearing all 64 cost more than the rest of this function.
    std::array<iovec, max_iovecs> iov;  // NOLINT(cppcoreguidelines-pro-type-member-init)
    iov[0] = {header.data(), header_bytes};
    const std::size_t count = std::min(batch.size() + 1, max_iovecs);
    for (std::size_t i = 1; i < count; ++i) {
      // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): sendmsg only reads
      iov[i] = {const_cast<char*>(batch[i - 1].data()), batch[i - 1].size()};
    }
    msghdr message{};
    message.msg_iov = iov.data();
    message.msg_iovlen = count;
    do {
      sent = send_message(fd, message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
  }
  if (sent >= 0) {
    result.written = static_cast<std::size_t>(sent);
  } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
    result.error = errno;
  }
  return result;
}

}  // namespace hearth::net
