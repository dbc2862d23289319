// OpenSSL on the socket: a BIO that is the socket's send and receive system
// calls (MSG_NOSIGNAL, no cancellation points), and the classification of
// each step's outcome.
#include "net/tls_socket.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "net/socket_calls.hpp"

namespace hearth::net {
namespace {

namespace asio = boost::asio;

int descriptor_of(BIO* bio) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

// Set while tls_socket::seal runs on this thread: the BIO writes records
// there instead of to the socket.
struct seal_target {
  char* out = nullptr;
  std::size_t room = 0;
  std::size_t used = 0;
};
thread_local seal_target* sealing = nullptr;

int bio_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  if (sealing != nullptr) {
    const auto bytes = static_cast<std::size_t>(size);
    if (bytes > sealing->room - sealing->used) {
      errno = EMSGSIZE;
      return -1;  // no retry: the connection fails rather than lose a record
    }
    std::memcpy(sealing->out + sealing->used, data, bytes);
    sealing->used += bytes;
    return size;
  }
  ssize_t n = -1;
  do {
    n = send_bytes(descriptor_of(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    BIO_set_retry_write(bio);
  }
  return static_cast<int>(n);
}

int bio_read(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  ssize_t n = -1;
  do {
    n = receive(descriptor_of(bio), data, static_cast<std::size_t>(size));
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    BIO_set_retry_read(bio);
  }
  return static_cast<int>(n);
}

long bio_ctrl(BIO* /*bio*/, int command, long /*number*/, void* /*pointer*/) {
  return command == BIO_CTRL_FLUSH ? 1 : 0;  // nothing is buffered here
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// Made once, for the life of the process, and shared by every connection.
BIO_METHOD* socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m =
        BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "hearth");
    if (m == nullptr || BIO_meth_set_write(m, bio_write) != 1 ||
        BIO_meth_set_read(m, bio_read) != 1 || BIO_meth_set_ctrl(m, bio_ctrl) != 1 ||
        BIO_meth_set_create(m, bio_create) != 1) {
      return static_cast<BIO_METHOD*>(nullptr);
    }
    return m;
  }();
  return method;
}

}  // namespace

tls_socket::tls_socket(plain_socket socket, SSL_CTX* context) : socket_(std::move(socket)) {
  boost::system::error_code ec;
  if (!socket_.non_blocking()) {  // the acceptor's sockets are already
    socket_.non_blocking(true, ec);
  }
  BIO* bio = socket_method() == nullptr ? nullptr : BIO_new(socket_method());
  ssl_ = ec || bio == nullptr ? nullptr : SSL_new(context);
  if (ssl_ == nullptr) {
    BIO_free(bio);
    fatal_ = true;
    error_ = asio::error::no_memory;
    return;
  }
  // The BIO's data is the descriptor itself, not a pointer to anything.
  // NOLINTNEXTLINE(performance-no-int-to-ptr)
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(socket_.native_handle())));
  SSL_set_bio(ssl_, bio, bio);  // one reference, taken by the connection
  // Records are written whole, one per call, and a retried write may come
  // from a buffer that has moved; empty record buffers are freed.
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                         SSL_MODE_RELEASE_BUFFERS);
  // One receive takes whatever has arrived, not a record header and then
  // its body.
  SSL_set_read_ahead(ssl_, 1);
  // A client may not start a TLS 1.2 renegotiation (a handshake's CPU on
  // demand, and a write that would have to wait for the peer's input). It is
  // OpenSSL 3's default; said here so that no context option turns it on.
  SSL_set_options(ssl_, SSL_OP_NO_RENEGOTIATION);
  SSL_set_accept_state(ssl_);
}

tls_socket::tls_socket(tls_socket&& other) noexcept
    : socket_(std::move(other.socket_)),
      ssl_(other.ssl_),
      fatal_(other.fatal_),
      notified_(other.notified_),
      write_wants_read_(other.write_wants_read_),
      error_(other.error_) {
  other.ssl_ = nullptr;
  other.fatal_ = true;  // a moved-from socket has no connection to step
}

tls_socket::~tls_socket() { SSL_free(ssl_); }

tls_socket::result tls_socket::handshake() {
  if (fatal_) {
    return {status::failed};  // OpenSSL must not be called again
  }
  ERR_clear_error();
  errno = 0;
  return outcome(SSL_do_handshake(ssl_), 0);
}

tls_socket::result tls_socket::read(void* data, std::size_t size) {
  if (fatal_) {
    return {status::failed};  // OpenSSL must not be called again
  }
  ERR_clear_error();
  errno = 0;
  std::size_t got = 0;
  const int ret = SSL_read_ex(ssl_, data, size, &got);
  return outcome(ret, got);
}

tls_socket::result tls_socket::write(const void* data, std::size_t size) {
  if (fatal_) {
    return {status::failed};  // OpenSSL must not be called again
  }
  ERR_clear_error();
  errno = 0;
  std::size_t put = 0;
  const int ret = SSL_write_ex(ssl_, data, size, &put);
  const result r = outcome(ret, put);
  write_wants_read_ = r.state == status::want_read;
  return r;
}

std::size_t tls_socket::seal(const void* data, std::size_t size, char* out, std::size_t room) {
  if (fatal_) {
    return 0;
  }
  seal_target target{out, room, 0};
  sealing = &target;
  std::size_t done = 0;
  while (done < size) {
    const result r = write(static_cast<const char*>(data) + done, size - done);
    if (r.state != status::done) {
      fatal_ = true;  // a record may be half made: OpenSSL must not be called again
      break;
    }
    done += r.bytes;
  }
  sealing = nullptr;
  return done == size ? target.used : 0;
}

bool tls_socket::input_buffered() const { return ssl_ != nullptr && SSL_has_pending(ssl_) == 1; }

void tls_socket::send_close_notify() {
  if (fatal_ || notified_ || SSL_is_init_finished(ssl_) != 1) {
    return;
  }
  notified_ = true;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // one attempt: a socket that is full does not get it
  ERR_clear_error();
}

tls_socket::result tls_socket::outcome(int ret, std::size_t bytes) {
  const int saved_errno = errno;
  if (ret > 0) {
    return {status::done, bytes};
  }
  const int code = SSL_get_error(ssl_, ret);
  switch (code) {
    case SSL_ERROR_WANT_READ:
      return {status::want_read};
    case SSL_ERROR_WANT_WRITE:
      return {status::want_write};
    case SSL_ERROR_ZERO_RETURN:
      error_ = asio::error::eof;
      return {status::closed};
    case SSL_ERROR_SYSCALL:
      fatal_ = true;
      ERR_clear_error();
      if (saved_errno == 0 || saved_errno == ECONNRESET || saved_errno == EPIPE) {
        error_ = asio::error::eof;  // the peer went away without a close_notify
        return {status::closed};
      }
      error_ = boost::system::error_code(saved_errno, boost::system::system_category());
      return {status::failed};
    default: {
      fatal_ = true;
      const unsigned long reason = ERR_get_error();
      ERR_clear_error();
      error_ = reason != 0 ? boost::system::error_code(static_cast<int>(reason),
                                                       asio::error::get_ssl_category())
                           : asio::ssl::error::unspecified_system_error;
      return {status::failed};
    }
  }
}

}  // namespace hearth::net
