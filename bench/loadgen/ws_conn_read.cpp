// The read side of a load-generator connection: the upgrade response, frames,
// fragments and control frames.
#include "ws_conn.hpp"

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>

namespace hearth::bench {
namespace {

constexpr std::size_t read_chunk = 256 * 1024;
constexpr std::size_t max_message = 16 * 1024 * 1024;

// One scratch buffer for every read: the loop is single-threaded.
char* scratch() {
  static std::array<char, read_chunk> buffer;
  return buffer.data();
}

bool contains_token(std::string_view headers, std::string_view name, std::string_view value) {
  // Case-insensitive search for "name: value" among the response headers.
  std::string lower(headers);
  for (auto& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string wanted = "\r\n" + std::string(name) + ":";
  for (auto& c : wanted) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const auto at = lower.find(wanted);
  if (at == std::string::npos) {
    return false;
  }
  const auto end = headers.find("\r\n", at + 2);
  const auto line = headers.substr(at + wanted.size(), end - at - wanted.size());
  return line.find(value) != std::string_view::npos;
}

}  // namespace

void ws_conn::on_readable(ws_sink& sink) {
  if (phase_ == phase::tls_handshake) {
    drive_tls(sink);
    return;
  }
  if (phase_ != phase::upgrading && phase_ != phase::open) {
    return;
  }
  // Plain sockets: a few chunks, then level-triggered epoll calls again. TLS:
  // until the library wants more from the socket, since records it already
  // decrypted would never be signalled by epoll.
  for (int rounds = 0; (ssl_ != nullptr || rounds < 4) && reading_; ++rounds) {
    const long n = raw_read(scratch(), read_chunk);
    if (n == -2) {
      break;
    }
    if (n <= 0) {
      fail(n == 0 ? "closed by server" : std::string("read: ") + std::strerror(errno));
      return;
    }
    consume(sink, scratch(), static_cast<std::size_t>(n));
    if (phase_ == phase::closed) {
      return;
    }
    if (ssl_ == nullptr && static_cast<std::size_t>(n) < read_chunk) {
      break;
    }
  }
  if (!out_.empty()) {
    flush();  // a TLS read may have unblocked a pending write
  }
}

void ws_conn::consume(ws_sink& sink, const char* data, std::size_t size) {
  std::string_view bytes(data, size);
  const bool buffered = !in_.empty();
  if (buffered) {
    in_.append(bytes);
    bytes = in_;
  }
  std::size_t used = 0;
  while (used < bytes.size() && phase_ != phase::closed) {
    const auto rest = bytes.substr(used);
    const std::size_t n =
        phase_ == phase::upgrading ? parse_upgrade(sink, rest) : parse_frames(sink, rest);
    if (n == 0) {
      break;
    }
    used += n;
  }
  if (phase_ == phase::closed) {
    in_.clear();
    return;
  }
  if (buffered) {
    in_.erase(0, used);
  } else {
    in_.assign(bytes.substr(used));
  }
  if (in_.size() > max_message + 16) {
    fail("incoming message too large");
  }
}

std::size_t ws_conn::parse_upgrade(ws_sink& sink, std::string_view bytes) {
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (bytes.size() > 16384) {
      fail("upgrade response too large");
    }
    return 0;
  }
  const auto headers = bytes.substr(0, end + 2);
  if (headers.rfind("HTTP/1.1 101", 0) != 0) {
    fail("upgrade refused: " + std::string(headers.substr(0, headers.find('\r'))));
    return 0;
  }
  if (!contains_token(headers, "sec-websocket-accept", expected_accept_)) {
    fail("upgrade response has a wrong Sec-WebSocket-Accept");
    return 0;
  }
  phase_ = phase::open;
  sink.on_open(*this);
  return end + 4;
}

std::size_t ws_conn::parse_frames(ws_sink& sink, std::string_view bytes) {
  std::size_t pos = 0;
  while (phase_ == phase::open && bytes.size() - pos >= 2) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + pos);
    const std::size_t avail = bytes.size() - pos;
    const bool fin = (p[0] & 0x80U) != 0;
    const auto op = static_cast<opcode>(p[0] & 0x0fU);
    const bool masked = (p[1] & 0x80U) != 0;
    std::uint64_t length = p[1] & 0x7fU;
    std::size_t header = 2;
    if (length == 126) {
      if (avail < 4) {
        break;
      }
      length = (static_cast<std::uint64_t>(p[2]) << 8U) | p[3];
      header = 4;
    } else if (length == 127) {
      if (avail < 10) {
        break;
      }
      length = 0;
      for (int i = 0; i < 8; ++i) {
        length = (length << 8U) | p[2 + i];
      }
      header = 10;
    }
    if (length > max_message) {
      fail("incoming frame too large");
      break;
    }
    const std::size_t mask_at = header;
    if (masked) {
      header += 4;
    }
    if (avail < header + length) {
      break;
    }
    std::string_view payload(bytes.data() + pos + header, static_cast<std::size_t>(length));
    std::string unmasked;
    if (masked) {  // servers must not mask, but tolerate it
      unmasked.assign(payload);
      for (std::size_t i = 0; i < unmasked.size(); ++i) {
        unmasked[i] = static_cast<char>(unmasked[i] ^ static_cast<char>(p[mask_at + i % 4]));
      }
      payload = unmasked;
    }
    pos += header + static_cast<std::size_t>(length);
    handle_frame(sink, fin, op, payload);
  }
  return pos;
}

void ws_conn::handle_frame(ws_sink& sink, bool fin, opcode op, std::string_view payload) {
  switch (op) {
    case opcode::ping:
      send(opcode::pong, payload);
      return;
    case opcode::pong:
      return;
    case opcode::close:
      fail(payload.size() >= 2
               ? "server closed with code " +
                     std::to_string(
                         (static_cast<unsigned>(static_cast<unsigned char>(payload[0])) << 8U) |
                         static_cast<unsigned char>(payload[1]))
               : "server closed");
      return;
    case opcode::continuation:
      fragments_.append(payload);
      if (fin) {
        sink.on_message(*this, fragment_op_, fragments_);
        fragments_.clear();
      }
      return;
    case opcode::text:
    case opcode::binary:
      if (fin) {
        sink.on_message(*this, op, payload);
      } else {
        fragment_op_ = op;
        fragments_.assign(payload);
      }
      return;
  }
  fail("unknown opcode");
}

}  // namespace hearth::bench
