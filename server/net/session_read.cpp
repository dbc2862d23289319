// Plain reads are a system call of their own (net/socket_calls); TLS reads
// go through OpenSSL on the socket.
#include "net/session_read.hpp"

#include <cerrno>

#include "net/socket_calls.hpp"

namespace hearth::net {

read_outcome read_plain(int fd, std::span<char> buffer) {
  ssize_t got = -1;
  do {
    got = receive(fd, buffer.data(), buffer.size());
  } while (got < 0 && errno == EINTR);
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    return {.what = read_outcome::next::wait_read};
  }
  if (got <= 0) {
    return {.what = read_outcome::next::close};
  }
  const auto n = static_cast<std::size_t>(got);
  return {.what = read_outcome::next::handle, .bytes = n, .more = n == buffer.size()};
}

read_outcome read_tls(tls_socket& socket, std::span<char> buffer) {
  const auto r = socket.read(buffer.data(), buffer.size());
  switch (r.state) {
    case tls_socket::status::done:
      return {
          .what = read_outcome::next::handle, .bytes = r.bytes, .more = socket.input_buffered()};
    case tls_socket::status::want_read:
      return {.what = read_outcome::next::wait_read};
    case tls_socket::status::want_write:
      return {.what = read_outcome::next::wait_write};
    case tls_socket::status::closed:
    case tls_socket::status::failed:
      break;
  }
  return {.what = read_outcome::next::close};
}

}  // namespace hearth::net
