// The plain-socket write of a batch: one binary WebSocket frame around every
// queued message, handed to the kernel by one sendmsg that points straight at
// the messages' shared bytes. This is the write almost every delivery takes,
// so it skips the generic buffer-sequence machinery; a write the socket
// cannot take whole continues asynchronously from where this one stopped.
#pragma once

#include <cstddef>
#include <vector>

#include "wire/frame_codec.hpp"

namespace hearth::net {

inline constexpr std::size_t max_iovecs = 64;

struct frame_send_result {
  std::size_t written = 0;  // bytes the kernel took
  std::size_t total = 0;    // bytes of the whole frame, header included
  int error = 0;            // errno of a failed send; 0 after a full, partial or refused one
};

// Sends as much of the frame as the socket takes now. A socket that takes
// nothing (it would block) gives written == 0 and error == 0. At most
// max_iovecs buffers go into one call; what is left counts as not written.
frame_send_result send_batch_frame(int fd, const std::vector<wire::shared_bytes>& batch);

}  // namespace hearth::net
