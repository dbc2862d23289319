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

frame_layout lay_out_frame(std::span<const wire::shared_bytes> batch) {
  frame_layout layout;
  std::size_t payload = 0;
  for (const auto& bytes : batch) {
    payload += bytes.size();
  }
  layout.header_bytes =
      wire::ws::write_server_header(wire::ws::opcode::binary, payload, layout.header);
  layout.total = layout.header_bytes + payload;
  return layout;
}

void copy_frame(const frame_layout& layout, std::span<const wire::shared_bytes> batch, char* out) {
  std::memcpy(out, layout.header.data(), layout.header_bytes);
  std::size_t at = layout.header_bytes;
  for (const auto& bytes : batch) {
    std::memcpy(out + at, bytes.data(), bytes.size());  // NOLINT(*-pointer-arithmetic)
    at += bytes.size();
  }
}

namespace {

frame_send_result outcome(ssize_t sent, std::size_t total) {
  frame_send_result result;
  result.total = total;
  if (sent >= 0) {
    result.written = static_cast<std::size_t>(sent);
  } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
    result.error = errno;
  }
  return result;
}

}  // namespace

frame_send_result send_plain_bytes(int fd, std::string_view bytes) {
  ssize_t sent = -1;
  do {
    sent = send_bytes(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return outcome(sent, bytes.size());
}

frame_send_result send_batch_frame(int fd, std::span<const wire::shared_bytes> batch) {
  frame_layout layout = lay_out_frame(batch);
  if (layout.total <= max_copied_frame_bytes) {
    // Left uninitialized: only the frame's bytes are written and read.
    std::array<char, max_copied_frame_bytes>
        frame;  // NOLINT(cppcoreguidelines-pro-type-member-init)
    copy_frame(layout, batch, frame.data());
    return send_plain_bytes(fd, {frame.data(), layout.total});
  }
  // Left uninitialized: only the first `count` entries are set and read, and
  // clearing all 64 cost more than the rest of this function.
  std::array<iovec, max_iovecs> iov;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  iov[0] = {layout.header.data(), layout.header_bytes};
  const std::size_t count = std::min(batch.size() + 1, max_iovecs);
  for (std::size_t i = 1; i < count; ++i) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): sendmsg only reads
    iov[i] = {const_cast<char*>(batch[i - 1].data()), batch[i - 1].size()};
  }
  msghdr message{};
  message.msg_iov = iov.data();
  message.msg_iovlen = count;
  ssize_t sent = -1;
  do {
    sent = send_message(fd, message, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return outcome(sent, layout.total);
}

}  // namespace hearth::net
