// Blocking protocol v1 client over Beast (ws or wss), driven by its own io_context.
#include "ws_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <stdexcept>
#include <variant>

#include "wire/frame_codec.hpp"

namespace hearth::client {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using error_code = boost::system::error_code;
using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

std::optional<asio::ssl::context> make_tls(const connect_options& options) {
  if (!options.tls) {
    return std::nullopt;
  }
  std::optional<asio::ssl::context> tls(std::in_place, asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  if (options.ca_file.empty()) {
    tls->set_default_verify_paths();
  } else {
    tls->load_verify_file(options.ca_file);
  }
  tls->set_verify_mode(asio::ssl::verify_peer);
  return tls;
}

std::variant<plain_ws, tls_ws> make_stream(asio::io_context& ioc,
                                           std::optional<asio::ssl::context>& tls) {
  if (tls) {
    return std::variant<plain_ws, tls_ws>(std::in_place_type<tls_ws>, ioc, *tls);
  }
  return std::variant<plain_ws, tls_ws>(std::in_place_type<plain_ws>, ioc);
}

// TLS over the connected socket: SNI for a DNS name, and a certificate that
// must be valid for the host (its DNS name or IP address).
void tls_handshake(tls_ws& ws, const std::string& host) {
  auto& tls = ws.next_layer();
  error_code ec;
  asio::ip::make_address(host, ec);
  // SSL_set_tlsext_host_name spelled out: the macro's C-style cast fails the build.
  if (ec && SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(host.c_str())) != 1) {
    throw std::runtime_error("TLS: cannot set the server name");
  }
  tls.set_verify_callback(asio::ssl::host_name_verification(host));
  tls.handshake(asio::ssl::stream_base::client, ec);
  if (ec) {
    throw std::runtime_error("TLS handshake failed: " + ec.message());
  }
}

}  // namespace

struct ws_client::impl {
  explicit impl(const connect_options& options)
      : tls(make_tls(options)), ws(make_stream(ioc, tls)) {}

  // Calls `f` with the WebSocket stream, whichever transport it runs over.
  template <typename F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), ws);
  }
  template <typename F>
  decltype(auto) visit(F&& f) const {
    return std::visit(std::forward<F>(f), ws);
  }

  asio::io_context ioc;
  std::optional<asio::ssl::context> tls;  // outlives the stream that uses it
  std::variant<plain_ws, tls_ws> ws;
  beast::flat_buffer buffer;
  std::deque<v1::ServerMessage> inbox;
  bool reading = false;
  bool is_closed = false;
  bool answer_pings = true;
  std::vector<v1::ServerMessage> decoded;

  void start_read() {
    if (reading || is_closed) {
      return;
    }
    reading = true;
    visit([this](auto& stream) {
      stream.async_read(buffer, [this](error_code ec, std::size_t) { on_read(ec); });
    });
  }

  void on_read(error_code ec) {
    reading = false;
    if (ec) {
      is_closed = true;
      return;
    }
    const auto data = buffer.cdata();
    const std::string_view frame(static_cast<const char*>(data.data()), data.size());
    if (wire::decode_server_frame(frame, 1U << 16U, decoded) != wire::decode_status::ok) {
      is_closed = true;  // a server that speaks garbage is as good as gone
      return;
    }
    buffer.consume(buffer.size());
    for (auto& message : decoded) {
      if (answer_pings && message.has_ping()) {
        v1::ClientMessage pong;
        pong.mutable_pong()->set_nonce(message.ping().nonce());
        write(wire::encode(pong).view(), true);
        continue;
      }
      inbox.push_back(std::move(message));
    }
    start_read();
  }

  // Runs the context until `done` holds or the timeout passes.
  template <typename Done>
  void run_until(Done done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    ioc.restart();
    ioc.poll();  // whatever is ready now, even with a zero timeout
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        return;
      }
      ioc.restart();
      ioc.run_one_for(deadline - now);
    }
  }

  bool write(std::string_view bytes, bool binary) {
    if (is_closed) {
      return false;
    }
    error_code ec;
    visit([&](auto& stream) {
      stream.binary(binary);
      stream.write(asio::buffer(bytes.data(), bytes.size()), ec);
    });
    if (ec) {
      is_closed = true;
      return false;
    }
    return true;
  }
};

ws_client::ws_client(const connect_options& options) : impl_(std::make_unique<impl>(options)) {
  impl_->answer_pings = options.answer_pings;
  asio::ip::tcp::resolver resolver(impl_->ioc);
  impl_->visit([&](auto& ws) {
    auto& tcp = beast::get_lowest_layer(ws);
    tcp.expires_after(options.timeout);
    tcp.connect(resolver.resolve(options.host, std::to_string(options.port)));
    if constexpr (std::is_same_v<std::decay_t<decltype(ws)>, tls_ws>) {
      tls_handshake(ws, options.host);
    }
    ws.set_option(websocket::stream_base::decorator([options](websocket::request_type& req) {
      if (!options.subprotocol.empty()) {
        req.set(beast::http::field::sec_websocket_protocol, options.subprotocol);
      }
      if (options.origin) {
        req.set(beast::http::field::origin, *options.origin);
      }
    }));
    websocket::response_type response;
    error_code ec;
    ws.handshake(response, options.host + ":" + std::to_string(options.port), options.path, ec);
    if (ec) {
      throw std::runtime_error("websocket handshake refused: HTTP " +
                               std::to_string(response.result_int()) + " " + response.body());
    }
    tcp.expires_never();
    ws.read_message_max(16U * 1024U * 1024U);
  });
}

ws_client::~ws_client() {
  if (!impl_->is_closed) {
    drop();
  }
}

bool ws_client::send(const v1::ClientMessage& message) {
  return impl_->write(wire::encode(message).view(), true);
}

bool ws_client::send_raw(std::string_view bytes, bool binary) {
  return impl_->write(bytes, binary);
}

std::optional<v1::ServerMessage> ws_client::receive(std::chrono::milliseconds timeout) {
  impl_->start_read();
  impl_->run_until([this] { return !impl_->inbox.empty() || impl_->is_closed; }, timeout);
  if (impl_->inbox.empty()) {
    return std::nullopt;
  }
  auto message = std::move(impl_->inbox.front());
  impl_->inbox.pop_front();
  return message;
}

std::optional<v1::Reply> ws_client::await_reply(std::uint32_t request_id,
                                                std::chrono::milliseconds timeout) {
  auto find = [&]() -> std::optional<v1::Reply> {
    for (auto it = impl_->inbox.begin(); it != impl_->inbox.end(); ++it) {
      if (it->has_reply() && it->reply().request_id() == request_id) {
        auto reply = it->reply();
        impl_->inbox.erase(it);
        return reply;
      }
    }
    return std::nullopt;
  };
  impl_->start_read();
  std::optional<v1::Reply> found;
  impl_->run_until(
      [&] {
        found = find();
        return found.has_value() || impl_->is_closed;
      },
      timeout);
  return found ? found : find();
}

std::uint32_t ws_client::hello(const std::string& token) {
  v1::ClientMessage m;
  m.set_request_id(next_request_id_++);
  m.mutable_hello()->set_token(token);
  m.mutable_hello()->set_client_name("hearth-client");
  m.mutable_hello()->set_client_version("0.1.0");
  send(m);
  return m.request_id();
}

std::uint32_t ws_client::join(const std::string& room_id, const v1::ResumePosition* resume) {
  v1::ClientMessage m;
  m.set_request_id(next_request_id_++);
  m.mutable_join_room()->set_room_id(room_id);
  if (resume != nullptr) {
    *m.mutable_join_room()->mutable_resume() = *resume;
  }
  send(m);
  return m.request_id();
}

std::uint32_t ws_client::chat(const std::string& text, v1::ChatScope scope,
                              std::uint64_t client_msg_id) {
  v1::ClientMessage m;
  m.set_request_id(next_request_id_++);
  m.mutable_send_chat()->set_text(text);
  m.mutable_send_chat()->set_scope(scope);
  m.mutable_send_chat()->set_client_msg_id(client_msg_id);
  send(m);
  return m.request_id();
}

std::uint32_t ws_client::leave() {
  v1::ClientMessage m;
  m.set_request_id(next_request_id_++);
  m.mutable_leave_room();
  send(m);
  return m.request_id();
}

std::uint32_t ws_client::floor(const v1::FloorCommand& command) {
  v1::ClientMessage m;
  m.set_request_id(next_request_id_++);
  *m.mutable_floor() = command;
  send(m);
  return m.request_id();
}

std::uint32_t ws_client::request(v1::ClientMessage message) {
  message.set_request_id(next_request_id_++);
  send(message);
  return message.request_id();
}

bool ws_client::closed() const { return impl_->is_closed; }

std::uint16_t ws_client::close_code() const {
  return impl_->visit([](const auto& ws) { return ws.reason().code; });
}

void ws_client::close() {
  if (impl_->is_closed) {
    return;
  }
  bool done = false;
  impl_->visit([&done](auto& ws) {
    ws.async_close(websocket::close_code::normal, [&done](error_code) { done = true; });
  });
  impl_->run_until([&] { return done; }, std::chrono::milliseconds(2000));
  impl_->is_closed = true;
}

void ws_client::drop() {
  error_code ignored;
  impl_->visit([&ignored](auto& ws) {
    auto& socket = beast::get_lowest_layer(ws).socket();
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  });
  impl_->is_closed = true;
}

}  // namespace hearth::client
