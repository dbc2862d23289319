// Starts a WebSocket session on an HTTP upgrade request that already passed the
// route, origin and subprotocol checks. ws_session.cpp is the only translation
// unit that instantiates beast::websocket::stream.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/session_context.hpp"

namespace hearth::net {

using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

void start_ws_session(boost::beast::tcp_stream stream, upgrade_request request,
                      session_context& context);
void start_ws_session(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
                      upgrade_request request, session_context& context);

}  // namespace hearth::net
