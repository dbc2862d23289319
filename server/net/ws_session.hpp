// Starts the WebSocket session of a connection whose upgrade has been answered
// with 101 (http_session does the handshake). `leftover` holds bytes read past
// the upgrade request.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "net/session_context.hpp"
#include "net/socket_types.hpp"
#include "net/tls_socket.hpp"

namespace hearth::net {

using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

void start_ws_session(plain_socket socket, std::string leftover, session_context& context);
void start_ws_session(tls_socket stream, std::string leftover, session_context& context);

}  // namespace hearth::net
