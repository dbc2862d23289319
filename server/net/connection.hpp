// What a room sees of a connection: a sink for encoded messages. Implemented by
// the WebSocket session; every method is safe to call from any executor.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/types.hpp"
#include "hearth/v1/errors.pb.h"
#include "wire/frame_codec.hpp"

namespace hearth::net {

class room_runner;

class connection : public std::enable_shared_from_this<connection> {
 public:
  virtual ~connection() = default;
  connection() = default;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  virtual core::connection_id id() const = 0;

  // Queues bytes for sending. Over the outbound limit the connection is closed
  // as a slow consumer instead.
  virtual void deliver(wire::shared_bytes bytes) = 0;
  // The same, for a recipient that gets nothing else from the command being
  // applied: with one network thread, and nothing queued or being written,
  // the bytes are written at once instead of queued for the end of the turn.
  virtual void deliver_alone(const wire::shared_bytes& bytes) = 0;

  // Sends Disconnect{code, reason} and closes the WebSocket with `code`.
  virtual void close(v1::CloseCode code, std::string reason) = 0;

  // The room was retired while a join from this connection was on its way:
  // the next JoinRoom must find (or create) the room afresh.
  virtual void released_by(const std::shared_ptr<room_runner>& runner) = 0;
};

// What a fan-out reads of a recipient's session (its vtable, queue, flags and
// socket) spans this many bytes from its start; ws_session asserts it fits.
inline constexpr std::size_t connection_hot_bytes = 384;

// A room event reaches each recipient after the previous one's send, whose
// trip through the kernel has evicted the next session from the cache: asking
// for its lines first lets them arrive while that send runs.
inline void prefetch_connection(const connection* conn) {
  const auto* bytes =
      reinterpret_cast<const char*>(conn);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
  for (std::size_t offset = 0; offset < connection_hot_bytes; offset += 64) {
    __builtin_prefetch(bytes + offset);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
  }
}

}  // namespace hearth::net
