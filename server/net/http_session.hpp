// Serves plain HTTP on a fresh connection (/healthz, /metrics) and hands
// WebSocket upgrades on /v1/ws, after the origin and subprotocol checks, to a
// ws_session.
#pragma once

#include <openssl/types.h>

#include "net/session_context.hpp"
#include "net/socket_types.hpp"

namespace hearth::net {

void start_http_session(plain_socket socket, session_context& context);
// Over TLS, with the server's context (certificate, protocols, ciphers).
void start_https_session(plain_socket socket, SSL_CTX* tls, session_context& context);

}  // namespace hearth::net
