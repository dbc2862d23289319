// The TLS write of a WebSocket session, as frame_send is the plain one: the
// pieces of a write are joined into one buffer per thread, since OpenSSL
// encrypts one buffer per call, so a batch becomes one record (up to 16 KiB)
// and one send, and handed to OpenSSL on the socket.
#pragma once

#include <boost/asio/buffer.hpp>
#include <span>
#include <string>
#include <string_view>

#include "net/frame_send.hpp"
#include "net/tls_socket.hpp"
#include "wire/frame_codec.hpp"

namespace hearth::net {

// The joined bytes of the last send_tls_frame; a write the socket did not
// take whole goes on from them (they are the same bytes a retry must offer).
std::string& thread_record_bytes();

// Writes `bytes` in as many records as it takes, as far as the socket takes
// them now. Records are written whole or not at all: OpenSSL keeps a record
// the socket took in part and finishes it on the retry, which must offer the
// same bytes from `written` on. A failed connection gives error != 0.
frame_send_result send_tls_bytes(tls_socket& socket, std::string_view bytes);

// Pieces laid out for one write (control frames, a frame header, messages),
// joined into thread_record_bytes() and sent as send_tls_bytes does.
frame_send_result send_tls_pieces(tls_socket& socket,
                                  std::span<const boost::asio::const_buffer> pieces);

// One binary frame around every message of `batch`, joined into
// thread_record_bytes() and sent as send_tls_bytes does.
frame_send_result send_tls_frame(tls_socket& socket, std::span<const wire::shared_bytes> batch);

}  // namespace hearth::net
