#include "ws_conn.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hearth::bench {
namespace {

constexpr std::size_t read_chunk = 256 * 1024;
constexpr std::size_t max_message = 16 * 1024 * 1024;

// One scratch buffer for every read: the loop is single-threaded.
char* scratch() {
  static std::array<char, read_chunk> buffer;
  return buffer.data();
}

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::uint32_t next_random(std::uint32_t& state) {
  state ^= state << 13U;
  state ^= state >> 17U;
  state ^= state << 5U;
  return state;
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

ws_conn::ws_conn(const std::string& host, std::uint16_t port, const std::string& source,
                 std::string request_target, std::string subprotocol, SSL_CTX* tls,
                 std::uint32_t mask_seed)
    : target_(std::move(request_target)),
      subprotocol_(std::move(subprotocol)),
      host_header_(host + ":" + std::to_string(port)),
      mask_state_(mask_seed == 0 ? 0x9e3779b9U : mask_seed) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    fail(std::string("socket: ") + std::strerror(errno));
    return;
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    fail("not an IPv4 address: " + host);
    return;
  }
  if (!source.empty() && !bind_source(source)) {
    return;
  }
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS) {
    fail(std::string("connect: ") + std::strerror(errno));
    return;
  }
  if (tls != nullptr) {
    ssl_ = SSL_new(tls);
    SSL_set_fd(ssl_, fd_);
    SSL_set_connect_state(ssl_);
  }
}

bool ws_conn::bind_source(const std::string& source) {
  // The port is chosen at connect, per destination, not reserved here.
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  if (::inet_pton(AF_INET, source.c_str(), &from.sin_addr) != 1) {
    fail("not an IPv4 address: " + source);
    return false;
  }
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0) {
    fail("bind " + source + ": " + std::strerror(errno));
    return false;
  }
  return true;
}

ws_conn::~ws_conn() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
  }
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

void ws_conn::fail(std::string why) {
  if (phase_ != phase::closed) {
    error_ = std::move(why);
    phase_ = phase::closed;
  }
}

std::uint32_t ws_conn::wanted_events() const {
  switch (phase_) {
    case phase::connecting:
      return EPOLLOUT;
    case phase::tls_handshake:
      return tls_wants_write_ ? EPOLLOUT : EPOLLIN;
    case phase::upgrading:
    case phase::open:
      return (reading_ ? EPOLLIN : 0U) | (out_.empty() && !tls_wants_write_ ? 0U : EPOLLOUT);
    case phase::closed:
      return 0;
  }
  return 0;
}

void ws_conn::on_writable(ws_sink& sink) {
  if (phase_ == phase::connecting) {
    finish_connect(sink);
  } else if (phase_ == phase::tls_handshake) {
    drive_tls(sink);
  } else if (phase_ != phase::closed) {
    flush();
  }
}

void ws_conn::finish_connect(ws_sink& sink) {
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    fail(std::string("connect: ") + std::strerror(err));
    return;
  }
  if (ssl_ != nullptr) {
    phase_ = phase::tls_handshake;
    drive_tls(sink);
  } else {
    start_upgrade();
  }
}

void ws_conn::drive_tls(ws_sink& /*sink*/) {
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    tls_wants_write_ = false;
    start_upgrade();
    return;
  }
  const int err = SSL_get_error(ssl_, rc);
  if (err == SSL_ERROR_WANT_READ) {
    tls_wants_write_ = false;
  } else if (err == SSL_ERROR_WANT_WRITE) {
    tls_wants_write_ = true;
  } else {
    fail("TLS handshake failed: " + std::to_string(ERR_get_error()));
  }
}

void ws_conn::start_upgrade() {
  std::array<unsigned char, 16> nonce{};
  for (std::size_t i = 0; i < nonce.size(); i += 4) {
    const auto r = next_random(mask_state_);
    std::memcpy(&nonce[i], &r, 4);
  }
  const auto key = base64(nonce.data(), nonce.size());
  const std::string magic = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(magic.data()), magic.size(), digest.data());
  expected_accept_ = base64(digest.data(), digest.size());

  std::string request =
      "GET " + target_ + " HTTP/1.1\r\nHost: " + host_header_ +
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
      "\r\nSec-WebSocket-Version: 13\r\n";
  if (!subprotocol_.empty()) {
    request += "Sec-WebSocket-Protocol: " + subprotocol_ + "\r\n";
  }
  request += "\r\n";
  phase_ = phase::upgrading;
  write_bytes(request);
}

long ws_conn::raw_read(char* buffer, std::size_t size) {
  if (ssl_ == nullptr) {
    const auto n = ::recv(fd_, buffer, size, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return -2;
    }
    return n;
  }
  const int n = SSL_read(ssl_, buffer, static_cast<int>(size));
  if (n > 0) {
    return n;
  }
  const int err = SSL_get_error(ssl_, n);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    return -2;
  }
  return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

long ws_conn::raw_write(const char* data, std::size_t size) {
  if (ssl_ == nullptr) {
    const auto n = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return -2;
    }
    return n;
  }
  const int n = SSL_write(ssl_, data, static_cast<int>(size));
  if (n > 0) {
    tls_wants_write_ = false;
    return n;
  }
  const int err = SSL_get_error(ssl_, n);
  if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
    tls_wants_write_ = err == SSL_ERROR_WANT_WRITE;
    return -2;
  }
  return -1;
}

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

void ws_conn::send(opcode op, std::string_view payload) {
  if (phase_ != phase::open) {
    return;
  }
  static std::string frame;
  frame.clear();
  frame.push_back(static_cast<char>(0x80U | static_cast<unsigned>(op)));
  const std::size_t size = payload.size();
  if (size < 126) {
    frame.push_back(static_cast<char>(0x80U | size));
  } else if (size < 65536) {
    frame.push_back(static_cast<char>(0x80U | 126U));
    frame.push_back(static_cast<char>((size >> 8U) & 0xffU));
    frame.push_back(static_cast<char>(size & 0xffU));
  } else {
    frame.push_back(static_cast<char>(0x80U | 127U));
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame.push_back(static_cast<char>((size >> static_cast<unsigned>(shift)) & 0xffU));
    }
  }
  const std::uint32_t mask = next_random(mask_state_);
  std::array<char, 4> key{};
  std::memcpy(key.data(), &mask, 4);
  frame.append(key.data(), 4);
  const std::size_t at = frame.size();
  frame.append(payload);
  for (std::size_t i = 0; i < size; ++i) {
    frame[at + i] = static_cast<char>(frame[at + i] ^ key[i % 4]);
  }
  write_bytes(frame);
}

void ws_conn::write_bytes(std::string_view bytes) {
  if (!out_.empty() || tls_wants_write_) {
    out_.append(bytes);
    return;
  }
  const long n = raw_write(bytes.data(), bytes.size());
  if (n == -1) {
    fail(std::string("write: ") + std::strerror(errno));
    return;
  }
  const std::size_t written = n > 0 ? static_cast<std::size_t>(n) : 0;
  if (written < bytes.size()) {
    out_.append(bytes.substr(written));
  }
}

void ws_conn::flush() {
  while (!out_.empty()) {
    const long n = raw_write(out_.data(), out_.size());
    if (n == -2) {
      return;
    }
    if (n < 0) {
      fail(std::string("write: ") + std::strerror(errno));
      return;
    }
    out_.erase(0, static_cast<std::size_t>(n));
  }
}

void ws_conn::close() {
  if (phase_ == phase::open) {
    const std::array<char, 2> normal{'\x03', '\xe8'};  // 1000
    send(opcode::close, std::string_view(normal.data(), normal.size()));
  }
  phase_ = phase::closed;
  if (fd_ >= 0) {
    ::shutdown(fd_, SHUT_RDWR);
  }
}

}  // namespace hearth::bench
