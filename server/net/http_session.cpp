// HTTP front door: health, metrics and the WebSocket upgrade checks.
#include "net/http_session.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "net/socket_types.hpp"
#include "net/static_files.hpp"
#include "net/tls_socket.hpp"
#include "net/ws_session.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using error_code = boost::system::error_code;

constexpr std::string_view ws_path = "/v1/ws";
constexpr std::string_view subprotocol = "hearth.v1";
constexpr std::uint32_t header_limit = 8 * 1024;
constexpr std::uint64_t body_limit = 1024;  // every request but the admin API's
constexpr auto read_timeout = std::chrono::seconds(15);

// True when the comma-separated Sec-WebSocket-Protocol list names ours.
bool offers_subprotocol(std::string_view header) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto item = header.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
      item.remove_prefix(1);
    }
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
      item.remove_suffix(1);
    }
    if (item == subprotocol) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    header.remove_prefix(comma + 1);
  }
  return false;
}

// A Sec-WebSocket-Key is the base64 form of 16 bytes: 22 characters and "==".
bool valid_websocket_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") {
    return false;
  }
  return std::all_of(key.begin(), key.begin() + 22, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  });
}

std::string websocket_accept(std::string_view key) {
  std::string input(key);
  input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 section 4.2.2
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  std::array<unsigned char, 32> encoded{};  // 4 * ceil(20 / 3) + NUL
  const int n = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digest.size()));
  return {reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(n)};
}

http::response<http::string_body> text_response(const upgrade_request& req, http::status status,
                                                std::string body) {
  http::response<http::string_body> res{status, req.version()};
  res.set(http::field::server, "hearthd/" HEARTH_VERSION);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive() && status == http::status::ok);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

template <typename Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
 public:
  http_session(Stream&& stream, session_context& context)
      : stream_(std::move(stream)), context_(context), timer_(stream_.get_executor()) {}

  void run() {
    if constexpr (std::is_same_v<Stream, plain_socket>) {
      do_read();
    } else {
      arm_timeout();
      stream_.async_handshake([self = this->shared_from_this()](error_code ec) {
        if (!ec) {
          self->do_read();
        }
      });
    }
  }

 private:
  // A request must arrive, and its answer be written, within read_timeout;
  // otherwise the socket is closed, which ends whatever is pending.
  void arm_timeout() {
    timer_.expires_after(read_timeout);
    timer_.async_wait([weak = this->weak_from_this()](error_code ec) {
      auto self = weak.lock();
      if (!ec && self) {
        error_code ignored;
        socket_of(self->stream_).close(ignored);
      }
    });
  }

  // The header first: only the admin API may send a body of any size, so its
  // limit is chosen once the target is known.
  void do_read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    arm_timeout();
    http::async_read_header(
        stream_, buffer_, *parser_, [self = this->shared_from_this()](error_code ec, std::size_t) {
          if (ec) {
            return self->on_read(ec);
          }
          const bool admin = self->parser_->get().target().starts_with("/admin/");
          self->parser_->body_limit(admin ? self->context_.admin_max_body_bytes : body_limit);
          http::async_read(self->stream_, self->buffer_, *self->parser_,
                           [self](error_code read_ec, std::size_t) { self->on_read(read_ec); });
        });
  }

  void on_read(error_code ec) {
    if (ec == http::error::body_limit && parser_->get().target().starts_with("/admin/")) {
      auto res = text_response(parser_->get(), http::status::payload_too_large,
                               R"({"error":{"code":"too_large","message":"the request body is )"
                               R"(over the limit"}})"
                               "\n");
      res.set(http::field::content_type, "application/json");
      res.keep_alive(false);
      return respond(std::move(res));
    }
    if (ec) {
      return;  // malformed, oversize or closed: drop the connection
    }
    upgrade_request req = parser_->release();
    if (req.target().starts_with("/admin/")) {
      return admin(std::move(req));
    }
    if (beast::websocket::is_upgrade(req)) {
      upgrade(req);
      return;
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      return respond(text_response(req, http::status::method_not_allowed, "GET only\n"));
    }
    if (req.target() == "/healthz") {
      return respond(text_response(req, http::status::ok, "ok\n"));
    }
    if (req.target() == "/metrics") {
      auto res = text_response(req, http::status::ok, telemetry::global_metrics().render());
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      return respond(std::move(res));
    }
    if (req.target() == ws_path) {
      return respond(text_response(req, http::status::upgrade_required,
                                   "WebSocket endpoint; subprotocol hearth.v1\n"));
    }
    if (req.method() == http::verb::get) {
      return serve_file(req);
    }
    respond(text_response(req, http::status::not_found, "not found\n"));
  }

  // The browser client. Never logs the target: a join link's token rides in
  // its fragment, which browsers do not send, but a mistyped link might not.
  void serve_file(const upgrade_request& req) {
    auto file = load_static_file(context_.config.web_root, req.target());
    if (file.status != 200) {
      return respond(text_response(req, http::status::not_found, "not found\n"));
    }
    auto res = text_response(req, http::status::ok, std::move(file.body));
    res.set(http::field::content_type, file.content_type);
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set("Content-Security-Policy",
            "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    respond(std::move(res));
  }

  // Runs on the admin worker's thread; the answer comes back to this strand.
  void admin(upgrade_request req) {
    if (context_.admin == nullptr) {
      return respond(text_response(req, http::status::not_found, "not found\n"));
    }
    admin::request call{std::string(req.method_string()), std::string(req.target()),
                        std::string(req[http::field::authorization]), std::move(req.body())};
    context_.admin->submit(std::move(call), [self = this->shared_from_this(),
                                             req = std::move(req)](admin::response answer) mutable {
      asio::post(self->stream_.get_executor(),
                 [self, req = std::move(req), answer = std::move(answer)]() mutable {
                   auto res = text_response(req, static_cast<http::status>(answer.status),
                                            std::move(answer.body));
                   res.set(http::field::content_type, answer.content_type);
                   res.keep_alive(req.keep_alive() && answer.status < 400);
                   self->respond(std::move(res));
                 });
    });
  }

  void upgrade(const upgrade_request& req) {
    auto refuse = [&](http::status status, std::string body) {
      telemetry::global_metrics().handshakes_refused.fetch_add(1, std::memory_order_relaxed);
      auto res = text_response(req, status, std::move(body));
      res.keep_alive(false);
      respond(std::move(res));
    };
    if (req.target() != ws_path) {
      return refuse(http::status::not_found, "WebSocket endpoint is /v1/ws\n");
    }
    const auto origin = req.find(http::field::origin);
    if (origin != req.end()) {
      const auto& allowed = context_.allowed_origins;
      if (std::find(allowed.begin(), allowed.end(), origin->value()) == allowed.end()) {
        return refuse(http::status::forbidden, "origin not allowed\n");
      }
    }
    if (!offers_subprotocol(req[http::field::sec_websocket_protocol])) {
      return refuse(http::status::bad_request,
                    "missing or unsupported WebSocket subprotocol; supported: hearth.v1\n");
    }
    if (context_.shutting_down.load()) {
      return refuse(http::status::service_unavailable, "shutting down\n");
    }
    if (req[http::field::sec_websocket_version] != "13") {
      telemetry::global_metrics().handshakes_refused.fetch_add(1, std::memory_order_relaxed);
      auto res = text_response(req, http::status::upgrade_required, "WebSocket version 13 only\n");
      res.set(http::field::sec_websocket_version, "13");
      res.keep_alive(false);
      return respond(std::move(res));
    }
    const auto key = req[http::field::sec_websocket_key];
    if (!valid_websocket_key(key)) {
      return refuse(http::status::bad_request, "bad Sec-WebSocket-Key\n");
    }
    auto res = std::make_shared<http::response<http::empty_body>>(http::status::switching_protocols,
                                                                  req.version());
    res->set(http::field::server, "hearthd/" HEARTH_VERSION);
    res->set(http::field::upgrade, "websocket");
    res->set(http::field::connection, "Upgrade");
    res->set(http::field::sec_websocket_accept, websocket_accept(key));
    res->set(http::field::sec_websocket_protocol, subprotocol);
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](error_code ec, std::size_t) {
                        if (ec) {
                          return;  // the client went away during the handshake
                        }
                        self->hand_over();
                      });
  }

  void hand_over() {
    timer_.cancel();  // the session has its own deadlines
    const auto pending = buffer_.cdata();
    std::string leftover(static_cast<const char*>(pending.data()), pending.size());
    start_ws_session(std::move(stream_), std::move(leftover), context_);
  }

  void respond(http::response<http::string_body> res) {
    auto owned = std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *owned,
                      [self = this->shared_from_this(), owned](error_code ec, std::size_t) {
                        if (ec || !owned->keep_alive()) {
                          self->shutdown();
                          return;
                        }
                        self->do_read();
                      });
  }

  void shutdown() {
    error_code ignored;
    socket_of(stream_).shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }

  Stream stream_;
  session_context& context_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

void start_http_session(plain_socket socket, session_context& context) {
  std::make_shared<http_session<plain_socket>>(std::move(socket), context)->run();
}

void start_https_session(plain_socket socket, SSL_CTX* tls, session_context& context) {
  std::make_shared<http_session<tls_socket>>(tls_socket(std::move(socket), tls), context)->run();
}

}  // namespace hearth::net
