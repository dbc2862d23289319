// Framing of protocol v1: a WebSocket binary message carries one or more
// protobuf messages, each prefixed by its length as a varint. The server
// encodes each ServerMessage once and can send several in one frame by
// concatenation, without re-encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/shared_bytes.hpp"
#include "hearth/v1/envelope.pb.h"

namespace hearth::wire {

using shared_bytes = core::shared_bytes;

// Length-prefixed encoding of one message, ready to be queued to any number of
// recipients.
shared_bytes encode(const v1::ServerMessage& message);
shared_bytes encode(const v1::ClientMessage& message);

// The same bytes as encode() of a ServerMessage holding only this event or
// reply, written without building that ServerMessage (which would take the
// event into a heap object of its own and free it again on every fan-out).
shared_bytes encode_event(const v1::Event& event);
shared_bytes encode_reply(const v1::Reply& reply);

enum class decode_status : std::uint8_t {
  ok,
  empty,        // a frame with no bytes
  bad_length,   // a length prefix that is not a varint or overruns the frame
  bad_message,  // bytes that do not parse as the message (incl. invalid UTF-8)
  too_many,     // more messages in one frame than allowed
};

std::string_view decode_status_name(decode_status s);

// Splits `frame` into messages. On any error nothing is returned: a frame is
// accepted whole or not at all.
decode_status decode_client_frame(std::string_view frame, std::size_t max_messages,
                                  std::vector<v1::ClientMessage>& out);
decode_status decode_server_frame(std::string_view frame, std::size_t max_messages,
                                  std::vector<v1::ServerMessage>& out);

}  // namespace hearth::wire
