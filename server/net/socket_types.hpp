// The stream types of a connection after accept: each socket carries its own
// strand as a concrete executor type (no any_io_executor indirection on every
// operation); net/tls_socket.hpp runs TLS over that socket.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <optional>

namespace hearth::net {

using session_strand = boost::asio::strand<boost::asio::io_context::executor_type>;
using plain_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, session_strand>;

inline plain_socket& socket_of(plain_socket& socket) { return socket; }

// Moves an accepted socket (whose executor is a session_strand) into a
// plain_socket; nullopt if it cannot (the socket is then closed).
std::optional<plain_socket> adopt_socket(boost::asio::ip::tcp::socket accepted);

}  // namespace hearth::net
