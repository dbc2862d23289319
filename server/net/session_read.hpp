// One read of a WebSocket session's input, plain or TLS, into the thread's
// read buffer, and what the session does next: handle the bytes, wait for
// the socket, or close.
#pragma once

#include <cstddef>
#include <span>

#include "net/tls_socket.hpp"

namespace hearth::net {

struct read_outcome {
  enum class next {
    handle,      // `bytes` arrived
    wait_read,   // nothing yet
    wait_write,  // TLS: OpenSSL must write before it can read on
    close,       // end of stream, a reset, close_notify or a TLS error
  };
  next what = next::close;
  std::size_t bytes = 0;
  // More input may be there at once (the buffer filled up, or TLS records
  // were received but not yet read): read again rather than wait, as the
  // reactor is edge-triggered.
  bool more = false;
};

read_outcome read_plain(int fd, std::span<char> buffer);
read_outcome read_tls(tls_socket& socket, std::span<char> buffer);

}  // namespace hearth::net
