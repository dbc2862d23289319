// RFC 6455 framing for the server side, free of sockets: parsing client frame
// headers (which must be masked) and writing server frame headers (unmasked).
// hearthd speaks WebSocket itself on the hot path so that a delivery costs one
// gathered write and no per-message operation objects.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hearth::wire::ws {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

struct frame_header {
  bool fin = false;
  opcode op = opcode::binary;
  std::uint64_t length = 0;  // payload bytes
  std::array<std::uint8_t, 4> mask{};
  std::size_t header_bytes = 0;
};

enum class parse_status : std::uint8_t {
  ok,
  need_more,       // the header is not complete yet
  protocol_error,  // close with 1002
  too_big,         // payload above the limit: close with 1009
};

// Parses the header at the start of `data`. Client frames must be masked, use
// no reserved bits or opcodes, and control frames must be final and at most
// 125 bytes.
parse_status parse_client_header(const std::uint8_t* data, std::size_t size,
                                 std::uint64_t max_payload, frame_header& out);

// XORs `size` payload bytes in place; `offset` is the position of data[0]
// within the frame's payload.
void unmask(std::uint8_t* data, std::size_t size, const std::array<std::uint8_t, 4>& mask,
            std::size_t offset = 0);

constexpr std::size_t max_header_bytes = 10;

// Writes a final, unmasked server frame header; returns its length.
std::size_t write_server_header(opcode op, std::uint64_t length,
                                std::array<std::uint8_t, max_header_bytes>& out);

// A complete close frame (header and payload) with a code and a reason cut to
// fit the 125-byte control frame limit on a UTF-8 boundary.
std::string close_frame(std::uint16_t code, std::string_view reason);

// The close code a client's close frame carries (1005 when it has none), or
// nullopt for a payload RFC 6455 does not allow (one byte, reserved codes).
std::optional<std::uint16_t> close_code_of(std::string_view payload);

}  // namespace hearth::wire::ws
