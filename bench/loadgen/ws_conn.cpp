// The connection side of a load-generator connection: connect, TLS, the
// upgrade request, and masked frames out (reads: ws_conn_read.cpp).
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
