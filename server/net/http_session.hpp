// Serves plain HTTP on a fresh connection (/healthz, /metrics) and hands
// WebSocket upgrades on /v1/ws, after the origin and subprotocol checks, to a
// ws_session.
#pragma once

#include <openssl/types.h>
#include <boost/asio/ip/tcp.hpp>

#include "net/session_context.hpp"

namespace hearth::net {

void start_http_session(boost::asio::ip::tcp::socket socket, session_context& context);
// Over TLS, with the server's context (certificate, protocols, ciphers).
void start_https_session(boost::asio::ip::tcp::socket socket, SSL_CTX* tls,
                         session_context& context);

}  // namespace hearth::net
