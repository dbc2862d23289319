// Fuzz harness for hearthd's own RFC 6455 framing (server/wire/ws_frame), which
// reads every byte a client sends after the upgrade. Each header is compared
// with an independent reading of RFC 6455 section 5.2, also on every short
// prefix held in an exactly sized buffer (so ASan sees a read past `size`);
// then the input is walked as a stream of frames the way ws_session.cpp does.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "wire/ws_frame.hpp"

namespace {

namespace ws = hearth::wire::ws;
using hearth::fuzz::check;

// server/net/settings.hpp: max_message_bytes.
constexpr std::uint64_t production_limit = std::uint64_t{64} * 1024;
// 0 and 125 make too_big reachable with short inputs; the last means no limit.
constexpr std::array<std::uint64_t, 4> limits{0, 125, production_limit,
                                              std::numeric_limits<std::uint64_t>::max()};
constexpr std::size_t longest_header = 14;

struct reading {
  ws::parse_status status = ws::parse_status::need_more;
  bool fin = false;
  std::uint8_t op = 0;
  std::uint64_t length = 0;
  std::size_t header_bytes = 0;
  std::array<std::uint8_t, 4> mask{};
};

// RFC 6455 section 5.2, field by field. Each rule is applied as soon as the
// bytes it reads have arrived, so a bad frame is refused without waiting for
// the rest of its header; the size limit needs the whole header.
reading reference_read(std::span<const std::uint8_t> in, std::uint64_t max_payload) {
  reading r;
  if (in.size() < 2) {
    return r;
  }
  r.fin = (in[0] & 0x80U) != 0;
  const unsigned rsv = (in[0] >> 4U) & 0x7U;
  r.op = static_cast<std::uint8_t>(in[0] & 0x0FU);
  const bool masked = (in[1] & 0x80U) != 0;
  const unsigned length7 = in[1] & 0x7FU;

  bool known_op = false;
  switch (r.op) {
    case 0x0:  // continuation
    case 0x1:  // text
    case 0x2:  // binary
    case 0x8:  // close
    case 0x9:  // ping
    case 0xA:  // pong
      known_op = true;
      break;
    default:
      break;
  }
  // No extension is negotiated, so every RSV bit must be clear; a client
  // must mask (section 5.1).
  if (rsv != 0 || !known_op || !masked) {
    r.status = ws::parse_status::protocol_error;
    return r;
  }

  std::size_t extended = 0;
  if (length7 == 126) {
    extended = 2;
  } else if (length7 == 127) {
    extended = 8;
  }
  if (in.size() < 2 + extended) {
    return r;
  }
  if (extended == 8 && in[2] >= 0x80) {
    r.status = ws::parse_status::protocol_error;  // the top bit must be 0
    return r;
  }
  r.length = length7;
  if (extended != 0) {
    r.length = 0;
    for (std::size_t i = 0; i < extended; ++i) {
      r.length = r.length * 256 + in[2 + i];  // network byte order
    }
  }
  const bool control = r.op >= 0x8;
  // Section 5.5: control frames are never fragmented and carry <= 125 bytes.
  if (control && (!r.fin || r.length > 125)) {
    r.status = ws::parse_status::protocol_error;
    return r;
  }

  const std::size_t header_bytes = 2 + extended + 4;
  if (in.size() < header_bytes) {
    return r;
  }
  r.header_bytes = header_bytes;
  std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(2 + extended), 4, r.mask.begin());
  r.status = !control && r.length > max_payload ? ws::parse_status::too_big : ws::parse_status::ok;
  return r;
}

ws::parse_status parse_and_compare(std::span<const std::uint8_t> in, std::uint64_t max_payload,
                                   ws::frame_header& header) {
  const ws::parse_status status =
      ws::parse_client_header(in.data(), in.size(), max_payload, header);
  const reading expected = reference_read(in, max_payload);
  check(status == expected.status, "header status matches RFC 6455 section 5.2");
  if (status == ws::parse_status::ok) {
    check(header.fin == expected.fin, "fin matches");
    check(static_cast<std::uint8_t>(header.op) == expected.op, "opcode matches");
    check(header.length == expected.length, "payload length matches");
    check(header.header_bytes == expected.header_bytes, "header size matches");
    check(header.mask == expected.mask, "masking key matches");
    check(header.header_bytes <= in.size(), "a parsed header lies within the input");
  }
  return status;
}

// A header that arrives a byte at a time must never change its verdict once it
// has one, since the session re-parses its buffered partial frame on each read.
void check_prefixes(std::span<const std::uint8_t> in) {
  std::optional<ws::parse_status> verdict;
  const std::size_t longest = std::min(in.size(), longest_header);
  for (std::size_t n = 0; n <= longest; ++n) {
    // Its own allocation, so that reading byte n is a heap overflow.
    const std::vector<std::uint8_t> prefix(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
    ws::frame_header header;
    const ws::parse_status status = parse_and_compare(prefix, production_limit, header);
    if (verdict) {
      check(status == *verdict, "a header's verdict holds as more bytes arrive");
    } else if (status != ws::parse_status::need_more) {
      verdict = status;
    }
  }
  if (in.size() >= longest_header) {
    check(verdict.has_value(), "a complete header always gets a verdict");
  }
}

// Minimal length encoding (section 5.2) in the header the server writes, and
// the same frame read back as a client would send it.
void check_server_header(const ws::frame_header& header) {
  std::array<std::uint8_t, ws::max_header_bytes> out{};
  const std::size_t n = ws::write_server_header(header.op, header.length, out);
  std::size_t minimal = 10;
  if (header.length <= 125) {
    minimal = 2;
  } else if (header.length <= 0xFFFF) {
    minimal = 4;
  }
  check(n == minimal, "server headers use the minimal length encoding");
  check(out[0] == static_cast<std::uint8_t>(0x80U | static_cast<std::uint8_t>(header.op)),
        "server frames are final");
  check((out[1] & 0x80U) == 0, "server frames are unmasked");

  std::vector<std::uint8_t> as_client(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
  as_client[1] = static_cast<std::uint8_t>(as_client[1] | 0x80U);
  as_client.insert(as_client.end(), header.mask.begin(), header.mask.end());
  ws::frame_header again;
  check(parse_and_compare(as_client, std::numeric_limits<std::uint64_t>::max(), again) ==
            ws::parse_status::ok,
        "a server header, masked, parses");
  check(again.op == header.op && again.length == header.length && again.fin &&
            again.header_bytes == n + 4,
        "a server header reads back to the same frame");
}

// Section 7.4.1 and the IANA registry (1012-1014); 1004-1006 and 1015 are
// never sent, 3000-4999 belong to libraries and applications.
std::optional<std::uint16_t> reference_close_code(std::string_view payload) {
  if (payload.empty()) {
    return 1005;
  }
  if (payload.size() == 1) {
    return std::nullopt;
  }
  const unsigned code = static_cast<unsigned>(static_cast<std::uint8_t>(payload[0])) * 256U +
                        static_cast<std::uint8_t>(payload[1]);
  const bool valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                     (code >= 3000 && code <= 4999);
  if (!valid) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(code);
}

bool is_continuation_byte(char c) { return (static_cast<std::uint8_t>(c) & 0xC0U) == 0x80U; }

// Echoing the peer's reason the way a server might, with any bytes: the frame
// must fit the control limit, and the reason be cut where a character starts
// and no earlier than it has to be.
void check_close_frame(std::string_view reason) {
  const std::string frame = ws::close_frame(1000, reason);
  check(frame.size() >= 4 && frame.size() <= 127, "a close frame fits the control limit");
  check(static_cast<std::uint8_t>(frame[0]) == 0x88 &&
            std::size_t{static_cast<std::uint8_t>(frame[1])} == frame.size() - 2,
        "a close frame has a final close header with its length");
  check(frame[2] == '\x03' && frame[3] == '\xe8', "a close frame carries its code");
  check(ws::close_code_of(std::string_view(frame).substr(2)) == 1000, "its code reads back");
  const std::string_view kept = std::string_view(frame).substr(4);
  if (reason.size() <= 123) {
    check(kept == reason, "a short close reason is kept whole");
    return;
  }
  check(kept.size() <= 123 && reason.substr(0, kept.size()) == kept,
        "a long close reason is cut to a prefix that fits");
  check(kept.empty() || !is_continuation_byte(reason[kept.size()]),
        "a close reason is cut where a character starts");
  for (std::size_t i = kept.size() + 1; i <= 123; ++i) {
    check(is_continuation_byte(reason[i]), "a close reason is cut at the last place it can be");
  }
}

void check_unmask(std::span<std::uint8_t> payload, const std::array<std::uint8_t, 4>& mask,
                  std::size_t split) {
  std::vector<std::uint8_t> expected(payload.begin(), payload.end());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    expected[i] = static_cast<std::uint8_t>(expected[i] ^ mask[i % 4]);
  }
  // In two pieces, the second continuing at its offset, as a payload split
  // across reads would be.
  ws::unmask(payload.data(), split, mask, 0);
  ws::unmask(payload.data() + split, payload.size() - split, mask, split);
  check(std::equal(payload.begin(), payload.end(), expected.begin(), expected.end()),
        "unmask XORs with the key repeating every 4 bytes");
}

// The input as the bytes of one connection: parse, unmask and skip each frame
// while the header is accepted and the whole payload is there.
void walk_stream(std::span<const std::uint8_t> input) {
  std::vector<std::uint8_t> stream(input.begin(), input.end());
  const std::size_t size = stream.size();
  std::size_t pos = 0;
  while (true) {
    ws::frame_header header;
    const std::span<const std::uint8_t> rest(stream.data() + pos, size - pos);
    if (parse_and_compare(rest, production_limit, header) != ws::parse_status::ok) {
      break;
    }
    check(header.header_bytes >= 6 && header.header_bytes <= longest_header,
          "a header is 6 to 14 bytes");
    if (size - pos - header.header_bytes < header.length) {
      break;  // the payload is still arriving
    }
    const auto length = static_cast<std::size_t>(header.length);
    std::uint8_t* payload = stream.data() + pos + header.header_bytes;
    // The key is the fuzzer's choice, so it also picks where a read ends.
    const std::size_t split = header.mask[0] % (length + 1);
    check_unmask({payload, length}, header.mask, split);
    if (header.op == ws::opcode::close) {
      const std::string_view body(reinterpret_cast<const char*>(payload), length);
      check(ws::close_code_of(body) == reference_close_code(body), "close code as in RFC 7.4");
    }
    const std::size_t next = pos + header.header_bytes + length;
    check(next > pos && next <= size, "each frame advances within the stream");
    pos = next;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  for (const std::uint64_t limit : limits) {
    ws::frame_header header;
    if (parse_and_compare(input, limit, header) == ws::parse_status::ok) {
      check_server_header(header);
    }
  }
  check_prefixes(input);
  check_close_frame({reinterpret_cast<const char*>(data), size});
  walk_stream(input);
  return 0;
}
