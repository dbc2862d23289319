// The stream types of a connection: each socket carries its strand as a
// concrete executor type (no any_io_executor indirection on every operation),
// from accept on; net/tls_socket.hpp runs TLS over that socket.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

namespace hearth::net {

using session_strand = boost::asio::strand<boost::asio::io_context::executor_type>;
using plain_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, session_strand>;

inline plain_socket& socket_of(plain_socket& socket) { return socket; }

}  // namespace hearth::net
