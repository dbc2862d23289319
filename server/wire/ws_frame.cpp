#include "wire/ws_frame.hpp"

#include <cstring>

namespace hearth::wire::ws {
namespace {

constexpr std::size_t max_control_payload = 125;

bool is_known(std::uint8_t op) { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

bool is_control(std::uint8_t op) { return (op & 0x8U) != 0; }

// Codes a peer may send in a close frame (RFC 6455 section 7.4).
bool valid_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) {
    return true;
  }
  return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

}  // namespace

parse_status parse_client_header(const std::uint8_t* data, std::size_t size,
                                 std::uint64_t max_payload, frame_header& out) {
  if (size < 2) {
    return parse_status::need_more;
  }
  const std::uint8_t first = data[0];
  const std::uint8_t second = data[1];
  if ((first & 0x70U) != 0) {
    return parse_status::protocol_error;  // no extension was negotiated
  }
  const auto op = static_cast<std::uint8_t>(first & 0x0FU);
  if (!is_known(op)) {
    return parse_status::protocol_error;
  }
  if ((second & 0x80U) == 0) {
    return parse_status::protocol_error;  // clients must mask
  }
  out.fin = (first & 0x80U) != 0;
  out.op = static_cast<opcode>(op);
  std::uint64_t length = second & 0x7FU;
  std::size_t at = 2;
  if (length == 126) {
    if (size < 4) {
      return parse_status::need_more;
    }
    length = (std::uint64_t{data[2]} << 8U) | data[3];
    at = 4;
  } else if (length == 127) {
    if (size < 10) {
      return parse_status::need_more;
    }
    length = 0;
    for (std::size_t i = 2; i < 10; ++i) {
      length = (length << 8U) | data[i];
    }
    if ((length >> 63U) != 0) {
      return parse_status::protocol_error;
    }
    at = 10;
  }
  if (is_control(op) && (!out.fin || length > max_control_payload)) {
    return parse_status::protocol_error;
  }
  if (size < at + 4) {
    return parse_status::need_more;
  }
  for (std::size_t i = 0; i < 4; ++i) {
    out.mask[i] = data[at + i];
  }
  out.length = length;
  out.header_bytes = at + 4;
  if (!is_control(op) && length > max_payload) {
    return parse_status::too_big;
  }
  return parse_status::ok;
}

void unmask(std::uint8_t* data, std::size_t size, const std::array<std::uint8_t, 4>& mask,
            std::size_t offset) {
  // Eight bytes at a time with the mask laid out from `offset`; every input
  // byte goes through here, and byte by byte it cost more than the decoding.
  std::size_t i = 0;
  if (size >= 8) {
    std::array<std::uint8_t, 8> spread{};
    for (std::size_t k = 0; k < spread.size(); ++k) {
      spread[k] = mask[(offset + k) & 3U];
    }
    std::uint64_t word_mask = 0;
    std::memcpy(&word_mask, spread.data(), sizeof word_mask);
    for (; i + sizeof word_mask <= size; i += sizeof word_mask) {
      std::uint64_t word = 0;
      std::memcpy(&word, data + i, sizeof word);
      word ^= word_mask;
      std::memcpy(data + i, &word, sizeof word);
    }
  }
  for (; i < size; ++i) {  // i is a multiple of 8 here, so the mask lines up
    data[i] = static_cast<std::uint8_t>(data[i] ^ mask[(offset + i) & 3U]);
  }
}

std::size_t write_server_header(opcode op, std::uint64_t length,
                                std::array<std::uint8_t, max_header_bytes>& out) {
  out[0] = static_cast<std::uint8_t>(0x80U | static_cast<std::uint8_t>(op));
  if (length < 126) {
    out[1] = static_cast<std::uint8_t>(length);
    return 2;
  }
  if (length <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(length >> 8U);
    out[3] = static_cast<std::uint8_t>(length & 0xFFU);
    return 4;
  }
  out[1] = 127;
  for (std::size_t i = 0; i < 8; ++i) {
    out[2 + i] = static_cast<std::uint8_t>((length >> (8U * (7 - i))) & 0xFFU);
  }
  return 10;
}

std::string close_frame(std::uint16_t code, std::string_view reason) {
  constexpr std::size_t max_reason = max_control_payload - 2;
  if (reason.size() > max_reason) {
    std::size_t cut = max_reason;
    while (cut > 0 && (static_cast<std::uint8_t>(reason[cut]) & 0xC0U) == 0x80U) {
      --cut;  // do not split a UTF-8 sequence
    }
    reason = reason.substr(0, cut);
  }
  std::array<std::uint8_t, max_header_bytes> header{};
  const auto header_size = write_server_header(opcode::close, 2 + reason.size(), header);
  std::string frame(reinterpret_cast<const char*>(header.data()), header_size);
  frame.push_back(static_cast<char>(code >> 8U));
  frame.push_back(static_cast<char>(code & 0xFFU));
  frame.append(reason);
  return frame;
}

std::optional<std::uint16_t> close_code_of(std::string_view payload) {
  if (payload.empty()) {
    return 1005;
  }
  if (payload.size() == 1) {
    return std::nullopt;
  }
  const auto code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8U) |
                                               static_cast<std::uint8_t>(payload[1]));
  if (!valid_close_code(code)) {
    return std::nullopt;
  }
  return code;
}

}  // namespace hearth::wire::ws
