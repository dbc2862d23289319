// Wiring of the network shell and its life cycle.
#include "net/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/http_session.hpp"
#include "net/room_directory.hpp"
#include "net/room_runner.hpp"
#include "net/session_context.hpp"
#include "net/session_registry.hpp"
#include "net/socket_types.hpp"
#include "telemetry/log.hpp"

namespace hearth::net {
namespace asio = boost::asio;
using error_code = boost::system::error_code;
using telemetry::level;

namespace {

// Mozilla "intermediate": TLS 1.2 and 1.3 only, ECDHE key exchange, AEAD ciphers.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::unique_ptr<asio::ssl::context> make_tls(const settings& config) {
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  SSL_CTX* native = tls->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  if (SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1 ||
      SSL_CTX_set1_groups_list(native, "X25519:P-256:P-384") != 1) {
    throw std::runtime_error("TLS: cannot set ciphers or groups");
  }
  tls->use_certificate_chain_file(config.tls_cert_file);
  tls->use_private_key_file(config.tls_key_file, asio::ssl::context::pem);
  return tls;
}

}  // namespace

// Asks a room's strand for its summary and waits (briefly) for the answer.
class live_rooms final : public admin::live_source {
 public:
  explicit live_rooms(room_directory& rooms) : rooms_(rooms) {}

  std::optional<admin::live_summary> live(const std::string& session) override {
    auto runner = rooms_.find(session);
    if (!runner) {
      return std::nullopt;
    }
    auto answer = std::make_shared<std::promise<admin::live_summary>>();
    auto future = answer->get_future();
    runner->describe([answer](admin::live_summary s) { answer->set_value(std::move(s)); });
    if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
      return std::nullopt;  // shutting down: the strand no longer runs
    }
    return future.get();
  }

  void consent_changed(const std::string& session, const store::consent_record& record) override {
    if (auto runner = rooms_.find(session)) {
      runner->update_consent(record);
    }
  }

 private:
  room_directory& rooms_;
};

struct server::impl {
  impl(settings c, auth::signing_key k, store::store_writer& r)
      : config(std::move(c)),
        key(std::move(k)),
        records(r),
        ioc(static_cast<int>(std::max(1U, config.threads))),
        rooms(ioc.get_executor(), config, clock, records),
        context{config, key, rooms, clock, registry, records, wheel, {}, {1}, {false}},
        acceptor(asio::make_strand(ioc)),
        one_thread_strand(config.threads <= 1 ? std::optional(asio::make_strand(ioc))
                                              : std::nullopt),
        signals(ioc, SIGTERM, SIGINT),
        shutdown_timer(ioc) {
    wheel.start(ioc);
  }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  // The wheel outlives the io_context, whose destruction destroys sessions
  // that leave it; its timer must go first.
  ~impl() { wheel.stop(); }

  void accept() {
    // Accepted straight onto the session's strand: the descriptor is
    // registered with the reactor once, never moved to another executor.
    acceptor.async_accept(session_executor(), [this](error_code ec, plain_socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted) {
          return;
        }
        telemetry::log(level::warn, "accept_failed", {{"error", std::string_view(ec.message())}});
      } else {
        // Events are small and latency matters more than packet count; the
        // session already gathers whatever is queued into one write.
        error_code ignored;
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        // Every session works on a non-blocking socket; set once here, it
        // also spares Asio its own switch before the first asynchronous read.
        socket.non_blocking(true, ignored);
        if (tls) {
          start_https_session(std::move(socket), tls->native_handle(), context);
        } else {
          start_http_session(std::move(socket), context);
        }
      }
      accept();
    });
  }

  // With several threads each connection has its own strand. With one, a
  // strand orders nothing the thread does not: connections share one, which
  // spares each its own (about 110 bytes) and a read its trip through a cold
  // one. Rooms keep theirs, so work queued for a room stays ahead of commands.
  session_strand session_executor() {
    return one_thread_strand ? *one_thread_strand : asio::make_strand(ioc);
  }

  void begin_shutdown(int signal_number) {
    telemetry::log(level::info, "shutdown", {{"signal", std::int64_t{signal_number}}});
    context.shutting_down.store(true);
    error_code ignored;
    acceptor.close(ignored);
    registry.close_all(v1::CLOSE_CODE_GOING_AWAY, "server shutting down");
    shutdown_deadline = std::chrono::steady_clock::now() + config.shutdown_grace;
    poll_drained();
  }

  // Waits for connections to finish their close handshakes, up to the grace.
  void poll_drained() {
    if (registry.size() == 0 || std::chrono::steady_clock::now() >= shutdown_deadline) {
      ioc.stop();
      return;
    }
    shutdown_timer.expires_after(std::chrono::milliseconds(20));
    shutdown_timer.async_wait([this](error_code ec) {
      if (!ec) {
        poll_drained();
      }
    });
  }

  settings config;
  auth::signing_key key;
  store::store_writer& records;
  server_clock clock;
  deadline_wheel wheel;  // before ioc: sessions destroyed with it leave the wheel
  asio::io_context ioc;
  session_registry registry;
  room_directory rooms;
  live_rooms live{rooms};
  session_context context;
  std::unique_ptr<asio::ssl::context> tls;
  asio::ip::tcp::acceptor acceptor;
  std::optional<session_strand> one_thread_strand;
  asio::signal_set signals;
  asio::steady_timer shutdown_timer;
  std::chrono::steady_clock::time_point shutdown_deadline;
};

server::server(settings config, auth::signing_key key, store::store_writer& records,
               admin::worker* admin)
    : impl_(std::make_unique<impl>(std::move(config), std::move(key), records)) {
  impl_->context.admin = admin;
  impl_->context.admin_max_body_bytes = impl_->config.admin_max_body_bytes;
}

server::~server() = default;

admin::live_source& server::live() { return impl_->live; }

std::uint16_t server::bind() {
  auto& s = *impl_;
  const bool has_tls = !s.config.tls_cert_file.empty() || !s.config.tls_key_file.empty();
  if (has_tls) {
    s.tls = make_tls(s.config);
  } else if (!s.config.insecure_plaintext) {
    throw std::runtime_error(
        "no TLS certificate configured: give --tls-cert and --tls-key, or "
        "--insecure-plaintext for loopback development");
  }
  const auto address = asio::ip::make_address(s.config.listen_host);
  const asio::ip::tcp::endpoint endpoint(address, s.config.listen_port);
  s.acceptor.open(endpoint.protocol());
  s.acceptor.set_option(asio::socket_base::reuse_address(true));
  s.acceptor.bind(endpoint);
  s.acceptor.listen(asio::socket_base::max_listen_connections);
  const auto port = s.acceptor.local_endpoint().port();

  // The server's own origin is always allowed, as a browser would spell it.
  const std::string scheme = has_tls ? "https://" : "http://";
  const std::string host =
      address.is_v6() ? "[" + s.config.listen_host + "]" : s.config.listen_host;
  s.context.allowed_origins.push_back(scheme + host + ":" + std::to_string(port));
  if (address.is_loopback()) {
    s.context.allowed_origins.push_back(scheme + "localhost:" + std::to_string(port));
  }
  for (const auto& origin : s.config.allowed_origins) {
    s.context.allowed_origins.push_back(origin);
  }
  telemetry::log(level::info, "listening",
                 {{"host", std::string_view(s.config.listen_host)},
                  {"port", std::uint64_t{port}},
                  {"tls", has_tls}});
  return port;
}

void server::run() {
  auto& s = *impl_;
  s.signals.async_wait([&s](error_code ec, int signal_number) {
    if (!ec) {
      s.begin_shutdown(signal_number);
    }
  });
  s.accept();
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < s.config.threads; ++i) {
    threads.emplace_back([&s] { s.ioc.run(); });
  }
  s.ioc.run();
  for (auto& t : threads) {
    t.join();
  }
  telemetry::log(level::info, "stopped", {});
}

}  // namespace hearth::net
