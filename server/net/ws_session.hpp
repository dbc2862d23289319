// Starts the WebSocket session of a connection whose upgrade has been answered
// with 101 (http_session does the handshake). `leftover` holds bytes read past
// the upgrade request.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <string>

#include "net/session_context.hpp"

namespace hearth::net {

using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

void start_ws_session(boost::beast::tcp_stream stream, std::string leftover,
                      session_context& context);
void start_ws_session(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
                      std::string leftover, session_context& context);

}  // namespace hearth::net
