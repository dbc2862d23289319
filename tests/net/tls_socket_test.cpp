// TLS on the socket against a real OpenSSL client over loopback TCP: the
// asynchronous interface the HTTP phase uses, the non-blocking steps the
// WebSocket session uses (a write the socket takes in part and finishes from
// bytes that have moved), records buffered ahead of reads, close_notify both
// ways, a refused renegotiation, a peer that does not speak TLS, and records
// sealed for a batch of sends instead of written.
#include "net/tls_socket.hpp"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/ioctl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <string>
#include <thread>

#include "net/tls_send.hpp"

namespace hearth::net {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;
using status = tls_socket::status;

std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    bytes[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  }
  return bytes;
}

// A server context with a fresh P-256 key and a self-signed certificate.
SSL_CTX* make_server_context() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  EXPECT_EQ(SSL_CTX_use_certificate(context, cert), 1);
  EXPECT_EQ(SSL_CTX_use_PrivateKey(context, key), 1);
  X509_free(cert);
  EVP_PKEY_free(key);
  return context;
}

// A connected pair: the server's tls_socket (not yet handshaken) and a
// blocking OpenSSL client on the other end, driven from a thread of its own.
class tls_pair : public ::testing::Test {
 protected:
  void SetUp() override {
    server_context_ = make_server_context();
    client_context_ = SSL_CTX_new(TLS_client_method());
    asio::ip::tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    client_socket_.open(asio::ip::tcp::v4());
    // Small buffers on both ends, so large writes meet a full socket.
    client_socket_.set_option(asio::socket_base::receive_buffer_size(4096));
    client_socket_.connect(acceptor.local_endpoint());
    asio::ip::tcp::socket accepted(io_);
    acceptor.accept(accepted);
    accepted.set_option(asio::socket_base::send_buffer_size(4096));
    const auto handle = accepted.release();
    server_.emplace(plain_socket(strand_, asio::ip::tcp::v4(), handle), server_context_);
    client_ = SSL_new(client_context_);
    SSL_set_fd(client_, client_socket_.native_handle());
  }

  void TearDown() override {
    if (peer_.joinable()) {
      peer_.join();
    }
    server_.reset();
    SSL_free(client_);
    SSL_CTX_free(client_context_);
    SSL_CTX_free(server_context_);
  }

  // Runs `client` on the peer thread once it has connected.
  template <typename Client>
  void peer(Client client) {
    peer_ = std::thread([this, client] {
      ASSERT_EQ(SSL_connect(client_), 1);
      client(client_);
    });
  }

  void handshake() {
    error_code result = asio::error::would_block;
    server_->async_handshake([&](error_code ec) { result = ec; });
    io_.run();
    io_.restart();
    ASSERT_FALSE(result) << result.message();
  }

  // Reads exactly `size` bytes on the client.
  static std::string client_read(SSL* ssl, std::size_t size) {
    std::string out(size, '\0');
    std::size_t at = 0;
    while (at < size) {
      std::size_t got = 0;
      if (SSL_read_ex(ssl, out.data() + at, size - at, &got) != 1) {
        break;
      }
      at += got;
    }
    out.resize(at);
    return out;
  }

  asio::io_context io_;
  session_strand strand_{io_.get_executor()};
  SSL_CTX* server_context_ = nullptr;
  SSL_CTX* client_context_ = nullptr;
  asio::ip::tcp::socket client_socket_{io_};
  std::optional<tls_socket> server_;
  SSL* client_ = nullptr;
  std::thread peer_;
};

TEST_F(tls_pair, asynchronous_reads_and_writes_go_through_a_slow_reader) {
  const std::string request = pattern(300);
  const std::string answer = pattern(1 << 20);
  std::promise<std::string> received;
  peer([&](SSL* ssl) {
    ASSERT_EQ(SSL_write(ssl, request.data(), static_cast<int>(request.size())), 300);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the server's socket fills
    received.set_value(client_read(ssl, answer.size()));
    SSL_shutdown(ssl);
  });
  handshake();
  std::string got(request.size(), '\0');
  error_code read_ec;
  error_code write_ec;
  error_code end_ec;
  std::array<char, 16> tail{};
  asio::async_read(*server_, asio::buffer(got), [&](error_code ec, std::size_t) {
    read_ec = ec;
    asio::async_write(*server_, asio::buffer(answer), [&](error_code ec2, std::size_t) {
      write_ec = ec2;
      server_->async_read_some(asio::buffer(tail),
                               [&](error_code ec3, std::size_t) { end_ec = ec3; });
    });
  });
  io_.run();
  EXPECT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(got, request);
  EXPECT_FALSE(write_ec) << write_ec.message();
  EXPECT_TRUE(received.get_future().get() == answer);
  EXPECT_EQ(end_ec, asio::error::eof);  // the client's close_notify
}

TEST_F(tls_pair, a_write_the_socket_takes_in_part_finishes_from_moved_bytes) {
  const std::string message = pattern(std::size_t{3} << 20);
  std::promise<std::string> received;
  peer([&](SSL* ssl) { received.set_value(client_read(ssl, message.size())); });
  handshake();
  auto first = send_tls_bytes(*server_, message);
  ASSERT_EQ(first.error, 0);
  ASSERT_LT(first.written, message.size());  // the socket filled up
  EXPECT_EQ(first.written % 16384, 0U);      // whole records only
  // The rest moves to a buffer of its own, as a session keeps it.
  auto rest = std::make_unique<std::string>(message.substr(first.written));
  std::size_t done = 0;
  std::function<void(error_code)> on_writable = [&](error_code ec) {
    ASSERT_FALSE(ec);
    const auto sent = send_tls_bytes(*server_, std::string_view(*rest).substr(done));
    ASSERT_EQ(sent.error, 0);
    done += sent.written;
    if (done < rest->size()) {
      server_->next_layer().async_wait(asio::socket_base::wait_write, on_writable);
    }
  };
  server_->next_layer().async_wait(asio::socket_base::wait_write, on_writable);
  io_.run();
  EXPECT_EQ(done, rest->size());
  EXPECT_TRUE(received.get_future().get() == message);
}

TEST_F(tls_pair, sealed_records_sent_as_bytes_read_in_order_with_records_written_after) {
  const std::string first = pattern(1500);
  const std::string second = pattern(700);
  const std::string third = pattern(300);
  std::promise<std::string> received;
  peer([&](SSL* ssl) {
    received.set_value(client_read(ssl, first.size() + second.size() + third.size()));
  });
  handshake();
  // Two records sealed for a batch, then sent by hand (a send_batch's job),
  // the second in two pieces as a socket taking part of it would make it.
  std::array<char, 4096> sealed{};
  const std::size_t a = server_->seal(first.data(), first.size(), sealed.data(),
                                      first.size() + tls_socket::seal_overhead);
  ASSERT_GT(a, first.size());
  const std::size_t b = server_->seal(second.data(), second.size(), sealed.data() + a,
                                      second.size() + tls_socket::seal_overhead);
  ASSERT_GT(b, second.size());
  const int fd = server_->next_layer().native_handle();
  ASSERT_EQ(::send(fd, sealed.data(), a + 10, MSG_NOSIGNAL), static_cast<ssize_t>(a + 10));
  ASSERT_EQ(::send(fd, sealed.data() + a + 10, b - 10, MSG_NOSIGNAL), static_cast<ssize_t>(b - 10));
  // A record written the usual way after them follows in sequence.
  const auto r = server_->write(third.data(), third.size());
  ASSERT_EQ(r.state, status::done);
  EXPECT_TRUE(received.get_future().get() == first + second + third);
}

TEST_F(tls_pair, a_seal_without_room_for_the_record_fails_the_connection) {
  peer([](SSL* /*ssl*/) {});
  handshake();
  const std::string message = pattern(1000);
  std::array<char, 1000> too_small{};
  EXPECT_EQ(server_->seal(message.data(), message.size(), too_small.data(), too_small.size()), 0U);
  EXPECT_EQ(server_->write(message.data(), message.size()).state, status::failed)
      << "a half-made record must not be followed by another";
}

TEST_F(tls_pair, records_already_received_are_read_before_waiting_again) {
  std::promise<void> sent;
  std::promise<void> finished;
  peer([&](SSL* ssl) {
    for (const char c : {'x', 'y', 'z'}) {
      const std::string record(100, c);
      ASSERT_EQ(SSL_write(ssl, record.data(), 100), 100);
    }
    sent.set_value();
    finished.get_future().wait();
  });
  handshake();
  sent.get_future().wait();
  // Until all three records (100 bytes and 22 of TLS 1.3's each) have arrived.
  int arrived = 0;
  while (arrived < 3 * 122) {
    std::this_thread::yield();
    ASSERT_EQ(::ioctl(server_->next_layer().native_handle(), FIONREAD, &arrived), 0);
  }
  std::array<char, 1000> buffer{};
  std::string got;
  auto r = server_->read(buffer.data(), buffer.size());
  ASSERT_EQ(r.state, status::done);
  EXPECT_EQ(r.bytes, 100U);  // one record per read
  got.append(buffer.data(), r.bytes);
  EXPECT_TRUE(server_->input_buffered());
  while (server_->input_buffered()) {
    r = server_->read(buffer.data(), buffer.size());
    ASSERT_EQ(r.state, status::done);
    got.append(buffer.data(), r.bytes);
  }
  EXPECT_EQ(got, std::string(100, 'x') + std::string(100, 'y') + std::string(100, 'z'));
  EXPECT_EQ(server_->read(buffer.data(), buffer.size()).state, status::want_read);
  finished.set_value();
}

TEST_F(tls_pair, close_notify_goes_both_ways) {
  std::promise<int> client_saw;
  peer([&](SSL* ssl) {
    std::array<char, 16> buffer{};
    const int n = SSL_read(ssl, buffer.data(), static_cast<int>(buffer.size()));
    client_saw.set_value(SSL_get_error(ssl, n));
    SSL_shutdown(ssl);
  });
  handshake();
  server_->send_close_notify();
  EXPECT_EQ(client_saw.get_future().get(), SSL_ERROR_ZERO_RETURN);
  std::array<char, 16> buffer{};
  error_code end;
  server_->async_read_some(asio::buffer(buffer), [&](error_code ec, std::size_t) { end = ec; });
  io_.run();
  EXPECT_EQ(end, asio::error::eof);
}

TEST_F(tls_pair, a_client_cannot_renegotiate) {
  SSL_set_max_proto_version(client_, TLS1_2_VERSION);
  std::promise<int> refused;
  peer([&](SSL* ssl) {
    ASSERT_EQ(SSL_renegotiate(ssl), 1);
    if (SSL_do_handshake(ssl) == 1) {
      refused.set_value(0);  // renegotiated
      return;
    }
    refused.set_value(ERR_GET_REASON(ERR_peek_error()));
  });
  handshake();
  auto answer = refused.get_future();
  std::array<char, 64> buffer{};
  // The server reads the client's hello (and answers it) as it reads data.
  while (answer.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
    const auto r = server_->read(buffer.data(), buffer.size());
    ASSERT_NE(r.state, status::done) << "no application data was sent";
    if (r.state != status::want_read) {
      break;
    }
  }
  EXPECT_EQ(answer.get(), SSL_R_NO_RENEGOTIATION);
}

TEST_F(tls_pair, a_peer_that_does_not_speak_tls_fails_the_handshake_with_an_error) {
  peer_ = std::thread([this] {
    const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(client_socket_.native_handle(), request.data(), request.size(), 0),
              static_cast<ssize_t>(request.size()));
  });
  error_code result;
  server_->async_handshake([&](error_code ec) { result = ec; });
  io_.run();
  EXPECT_TRUE(result);
  EXPECT_NE(result, asio::error::would_block);
  // Nothing more is attempted on a broken connection.
  server_->send_close_notify();
  std::array<char, 16> buffer{};
  EXPECT_EQ(server_->read(buffer.data(), buffer.size()).state, status::failed);
}

TEST_F(tls_pair, a_peer_that_leaves_mid_handshake_ends_it) {
  peer_ = std::thread([this] {
    const std::array<unsigned char, 5> header{0x16, 0x03, 0x01, 0x02, 0x00};  // a record header
    ASSERT_EQ(::send(client_socket_.native_handle(), header.data(), header.size(), 0), 5);
    client_socket_.shutdown(asio::socket_base::shutdown_both);
  });
  error_code result;
  server_->async_handshake([&](error_code ec) { result = ec; });
  io_.run();
  EXPECT_TRUE(result);
}

}  // namespace
}  // namespace hearth::net
