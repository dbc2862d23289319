// The plain-socket write of a batch: one binary WebSocket frame around every
// queued message, handed to the kernel by one system call: a small frame is
// copied together and sent as one buffer, a large one by a sendmsg that points
// straight at the messages' shared bytes. This is the write almost every
// delivery takes, so it skips the generic buffer-sequence machinery; a write
// the socket cannot take whole continues asynchronously from where this one
// stopped.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "wire/frame_codec.hpp"
#include "wire/ws_frame.hpp"

namespace hearth::net {

inline constexpr std::size_t max_iovecs = 64;
// A frame up to this size is copied together and sent as one buffer: the
// kernel's send of one buffer is cheaper than its import of a message header
// and an iovec array, by more than the copy costs.
inline constexpr std::size_t max_copied_frame_bytes = 2048;

struct frame_send_result {
  std::size_t written = 0;  // bytes the kernel took
  std::size_t total = 0;    // bytes of the whole frame, header included
  int error = 0;            // errno of a failed send; 0 after a full, partial or refused one
};

// The header of the one binary frame around `batch`, and the frame's size.
struct frame_layout {
  std::array<std::uint8_t, wire::ws::max_header_bytes> header{};
  std::size_t header_bytes = 0;
  std::size_t total = 0;  // header and messages
};
frame_layout lay_out_frame(std::span<const wire::shared_bytes> batch);
// Copies the frame (layout.total bytes) to `out`.
void copy_frame(const frame_layout& layout, std::span<const wire::shared_bytes> batch, char* out);

// Sends as much of `bytes` as the socket takes now (MSG_NOSIGNAL), with the
// same result as send_batch_frame.
frame_send_result send_plain_bytes(int fd, std::string_view bytes);

// Sends as much of the frame as the socket takes now. A socket that takes
// nothing (it would block) gives written == 0 and error == 0. A frame larger
// than max_copied_frame_bytes is sent from the messages in place, at most
// max_iovecs buffers per call; what is left counts as not written.
frame_send_result send_batch_frame(int fd, std::span<const wire::shared_bytes> batch);

}  // namespace hearth::net
