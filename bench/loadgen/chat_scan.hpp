// Reads the two server messages a fan-out run is made of (a room chat event,
// and the sender's reply to its chat) straight from the wire format, so the
// generator does not build protobuf objects for each of the ~10 messages a
// chat causes. Anything else, or anything it cannot read, is `other`: the
// caller decodes it in full, which also reports what is malformed.
#pragma once

#include <cstdint>
#include <string_view>

namespace hearth::bench {

enum class scanned_kind : std::uint8_t {
  room_chat,   // Event{chat}: `text` is the chat's text
  chat_reply,  // Reply{request_id, chat}: a chat was accepted
  other,
};

struct scanned_message {
  scanned_kind kind = scanned_kind::other;
  std::string_view text;  // room_chat: points into the scanned bytes
};

// `bytes` is one serialized hearth.v1.ServerMessage.
scanned_message scan_server_message(std::string_view bytes);

}  // namespace hearth::bench
