// The per-thread buffers a WebSocket session borrows for one read or one
// write, so that an idle connection holds none of its own.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "net/ws_write.hpp"
#include "wire/frame_codec.hpp"

namespace hearth::net {

inline constexpr std::size_t read_chunk_bytes = std::size_t{64} * 1024;

// Plain sockets read into this when readable; only an incomplete frame is
// copied aside.
inline std::array<char, read_chunk_bytes>& thread_read_buffer() {
  thread_local std::array<char, read_chunk_bytes> buffer;
  return buffer;
}

// Where a session lays out its next write. Taken by moving out (and given
// back after), so a flush nested in another one cannot clobber it.
inline ws_write& thread_write() {
  thread_local ws_write scratch;
  return scratch;
}

// The batch of a direct write (frame_send.hpp), taken the same way.
inline std::vector<wire::shared_bytes>& thread_batch() {
  thread_local std::vector<wire::shared_bytes> batch;
  return batch;
}

}  // namespace hearth::net
