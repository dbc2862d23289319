// RFC 6455 server-side framing: client header parsing (RFC section 5.7 bytes,
// every rejection class, truncation), unmasking, server headers and close frames.
#include "wire/ws_frame.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::wire::ws {
namespace {

using bytes = std::vector<std::uint8_t>;

constexpr std::uint64_t no_limit = std::numeric_limits<std::uint64_t>::max();
constexpr std::array<std::uint8_t, 4> rfc_mask{0x37, 0xfa, 0x21, 0x3d};

// Every status is checked on an exactly sized heap copy, so that the sanitize
// build reports a read past `size`.
parse_status parse(const bytes& in, frame_header& out, std::uint64_t max_payload = no_limit) {
  const bytes exact(in.begin(), in.end());
  return parse_client_header(exact.data(), exact.size(), max_payload, out);
}

parse_status parse(const bytes& in, std::uint64_t max_payload = no_limit) {
  frame_header ignored;
  return parse(in, ignored, max_payload);
}

// A masked client header: the two first bytes, the extended length, the mask.
bytes client_header(std::uint8_t first, std::uint8_t second, const bytes& extended = {}) {
  bytes out{first, static_cast<std::uint8_t>(second | 0x80U)};
  out.insert(out.end(), extended.begin(), extended.end());
  out.insert(out.end(), rfc_mask.begin(), rfc_mask.end());
  return out;
}

bytes be64(std::uint64_t v) {
  bytes out(8);
  for (std::size_t i = 0; i < 8; ++i) {
    out[i] = static_cast<std::uint8_t>(v >> (8U * (7 - i)));
  }
  return out;
}

std::string_view as_text(const bytes& b, std::size_t from, std::size_t size) {
  return {reinterpret_cast<const char*>(b.data() + from), size};
}

TEST(ws_frame, parses_rfc_masked_hello) {
  // RFC 6455 section 5.7: a single-frame masked text message "Hello".
  bytes frame{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  frame_header h;
  ASSERT_EQ(parse(frame, h), parse_status::ok);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.op, opcode::text);
  EXPECT_EQ(h.length, 5U);
  EXPECT_EQ(h.header_bytes, 6U);
  EXPECT_EQ(h.mask, rfc_mask);
  unmask(frame.data() + h.header_bytes, h.length, h.mask);
  EXPECT_EQ(as_text(frame, 6, 5), "Hello");
}

TEST(ws_frame, parses_rfc_masked_pong) {
  // RFC 6455 section 5.7: a masked pong with the body "Hello".
  bytes frame{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  frame_header h;
  ASSERT_EQ(parse(frame, h), parse_status::ok);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.op, opcode::pong);
  EXPECT_EQ(h.length, 5U);
  unmask(frame.data() + h.header_bytes, h.length, h.mask);
  EXPECT_EQ(as_text(frame, 6, 5), "Hello");
}

TEST(ws_frame, rejects_rfc_unmasked_examples_from_a_client) {
  // RFC 6455 section 5.7: what a server sends is a protocol error from a client.
  EXPECT_EQ(parse({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), parse_status::protocol_error);
  EXPECT_EQ(parse({0x01, 0x03, 0x48, 0x65, 0x6c}), parse_status::protocol_error);
  EXPECT_EQ(parse({0x80, 0x02, 0x6c, 0x6f}), parse_status::protocol_error);
  EXPECT_EQ(parse({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), parse_status::protocol_error);
  EXPECT_EQ(parse({0x82, 0x7e, 0x01, 0x00}), parse_status::protocol_error);
  EXPECT_EQ(parse({0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}), parse_status::protocol_error);
}

TEST(ws_frame, parses_masked_fragments_in_a_stream) {
  // The RFC's fragmented "Hel" + "lo", masked as a client must send them.
  bytes stream = client_header(0x01, 0x03);
  for (const char c : std::string_view("Hel")) {
    stream.push_back(static_cast<std::uint8_t>(c));
  }
  const bytes second = client_header(0x80, 0x02);
  const std::size_t second_at = stream.size();
  stream.insert(stream.end(), second.begin(), second.end());
  stream.push_back('l');
  stream.push_back('o');
  unmask(stream.data() + 6, 3, rfc_mask);  // masking is its own inverse
  unmask(stream.data() + second_at + 6, 2, rfc_mask);

  frame_header h;
  ASSERT_EQ(parse_client_header(stream.data(), stream.size(), no_limit, h), parse_status::ok);
  EXPECT_FALSE(h.fin);
  EXPECT_EQ(h.op, opcode::text);
  EXPECT_EQ(h.length, 3U);
  unmask(stream.data() + h.header_bytes, h.length, h.mask);
  EXPECT_EQ(as_text(stream, 6, 3), "Hel");

  const std::size_t at = h.header_bytes + h.length;
  ASSERT_EQ(at, second_at);
  ASSERT_EQ(parse_client_header(stream.data() + at, stream.size() - at, no_limit, h),
            parse_status::ok);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.op, opcode::continuation);
  EXPECT_EQ(h.length, 2U);
  unmask(stream.data() + at + h.header_bytes, h.length, h.mask);
  EXPECT_EQ(as_text(stream, at + 6, 2), "lo");
}

TEST(ws_frame, reads_16_bit_length) {
  // RFC 6455 section 5.7: 256 bytes in one binary frame, here masked.
  frame_header h;
  ASSERT_EQ(parse(client_header(0x82, 0x7e, {0x01, 0x00}), h), parse_status::ok);
  EXPECT_EQ(h.op, opcode::binary);
  EXPECT_EQ(h.length, 256U);
  EXPECT_EQ(h.header_bytes, 8U);
  EXPECT_EQ(h.mask, rfc_mask);

  ASSERT_EQ(parse(client_header(0x82, 0x7e, {0xff, 0xff}), h), parse_status::ok);
  EXPECT_EQ(h.length, 65535U);
}

TEST(ws_frame, reads_64_bit_length) {
  // RFC 6455 section 5.7: 64 KiB in one binary frame, here masked.
  frame_header h;
  ASSERT_EQ(parse(client_header(0x82, 0x7f, be64(65536)), h), parse_status::ok);
  EXPECT_EQ(h.length, 65536U);
  EXPECT_EQ(h.header_bytes, 14U);
  EXPECT_EQ(h.mask, rfc_mask);

  ASSERT_EQ(parse(client_header(0x82, 0x7f, be64(0x0123456789abcdefULL)), h), parse_status::ok);
  EXPECT_EQ(h.length, 0x0123456789abcdefULL);

  const std::uint64_t largest = (std::uint64_t{1} << 63U) - 1;
  ASSERT_EQ(parse(client_header(0x82, 0x7f, be64(largest)), h), parse_status::ok);
  EXPECT_EQ(h.length, largest);
}

TEST(ws_frame, rejects_64_bit_length_with_top_bit) {
  // RFC 6455 section 5.2: the most significant bit MUST be 0.
  EXPECT_EQ(parse(client_header(0x82, 0x7f, be64(std::uint64_t{1} << 63U))),
            parse_status::protocol_error);
  EXPECT_EQ(parse(client_header(0x82, 0x7f, be64(no_limit))), parse_status::protocol_error);
}

TEST(ws_frame, needs_more_at_every_truncation_of_a_header) {
  const std::vector<bytes> headers{
      client_header(0x81, 0x05),
      client_header(0x82, 0x7e, {0x01, 0x00}),
      client_header(0x82, 0x7f, be64(65536)),
      client_header(0x89, 0x7d),
  };
  for (const bytes& header : headers) {
    for (std::size_t n = 0; n < header.size(); ++n) {
      const bytes prefix(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(n));
      EXPECT_EQ(parse(prefix), parse_status::need_more)
          << "header size " << header.size() << ", truncated to " << n;
    }
    // The payload is the caller's business: a complete header is enough.
    EXPECT_EQ(parse(header), parse_status::ok) << "header size " << header.size();
  }
}

TEST(ws_frame, rejects_unmasked_client_frames) {
  EXPECT_EQ(parse({0x82, 0x00}), parse_status::protocol_error);
  EXPECT_EQ(parse({0x88, 0x00}), parse_status::protocol_error);
  EXPECT_EQ(parse({0x82, 0x7e, 0x01, 0x00, 0, 0, 0, 0}), parse_status::protocol_error);
}

TEST(ws_frame, rejects_reserved_bits) {
  for (const std::uint8_t rsv : std::initializer_list<std::uint8_t>{0x40, 0x20, 0x10, 0x70}) {
    EXPECT_EQ(parse(client_header(static_cast<std::uint8_t>(0x82U | rsv), 0x00)),
              parse_status::protocol_error)
        << "rsv " << int{rsv};
  }
}

TEST(ws_frame, rejects_reserved_opcodes) {
  for (std::uint8_t op = 0; op <= 0xf; ++op) {
    const bool known = op <= 0x2 || (op >= 0x8 && op <= 0xa);
    frame_header h;
    const auto status = parse(client_header(static_cast<std::uint8_t>(0x80U | op), 0x00), h);
    if (known) {
      EXPECT_EQ(status, parse_status::ok) << "opcode " << int{op};
      EXPECT_EQ(static_cast<std::uint8_t>(h.op), op);
    } else {
      EXPECT_EQ(status, parse_status::protocol_error) << "opcode " << int{op};
    }
  }
}

TEST(ws_frame, rejects_fragmented_control_frames) {
  for (const std::uint8_t op : std::initializer_list<std::uint8_t>{0x8, 0x9, 0xa}) {
    EXPECT_EQ(parse(client_header(op, 0x00)), parse_status::protocol_error) << "opcode " << int{op};
  }
}

TEST(ws_frame, control_frames_stop_at_125_bytes) {
  for (const std::uint8_t first : std::initializer_list<std::uint8_t>{0x88, 0x89, 0x8a}) {
    EXPECT_EQ(parse(client_header(first, 0x7d)), parse_status::ok);
    EXPECT_EQ(parse(client_header(first, 0x7e, {0x00, 0x7e})), parse_status::protocol_error);
    EXPECT_EQ(parse(client_header(first, 0x7f, be64(65536))), parse_status::protocol_error);
  }
}

TEST(ws_frame, data_frames_above_the_limit_are_too_big) {
  frame_header h;
  EXPECT_EQ(parse(client_header(0x82, 0x64), h, 100), parse_status::ok);
  EXPECT_EQ(parse(client_header(0x82, 0x65), h, 100), parse_status::too_big);
  EXPECT_EQ(parse(client_header(0x00, 0x65), h, 100), parse_status::too_big);
  EXPECT_EQ(parse(client_header(0x82, 0x7e, {0xff, 0xff}), h, 65535), parse_status::ok);
  EXPECT_EQ(parse(client_header(0x82, 0x7f, be64(65536)), h, 65535), parse_status::too_big);
  // The header is still reported, so that the caller can log what was refused.
  EXPECT_EQ(h.length, 65536U);
  EXPECT_EQ(h.header_bytes, 14U);
}

TEST(ws_frame, control_frames_ignore_the_data_limit) {
  for (const std::uint8_t first : std::initializer_list<std::uint8_t>{0x88, 0x89, 0x8a}) {
    EXPECT_EQ(parse(client_header(first, 0x7d), 0), parse_status::ok);
    EXPECT_EQ(parse(client_header(first, 0x7d), 10), parse_status::ok);
  }
}

TEST(ws_frame, unmask_continues_at_an_offset) {
  const std::string_view text = "Hello, WebSocket framing";
  bytes masked(text.begin(), text.end());
  unmask(masked.data(), masked.size(), rfc_mask);

  // Any split into pieces, each unmasked at its offset in the payload, matches.
  for (std::size_t split = 0; split <= masked.size(); ++split) {
    bytes piece = masked;
    unmask(piece.data(), split, rfc_mask, 0);
    unmask(piece.data() + split, piece.size() - split, rfc_mask, split);
    EXPECT_EQ(as_text(piece, 0, piece.size()), text) << "split at " << split;
  }
  // Only the offset modulo 4 matters.
  bytes tail(masked.begin() + 5, masked.end());
  unmask(tail.data(), tail.size(), rfc_mask, 4U * 1000U + 5U);
  EXPECT_EQ(as_text(tail, 0, tail.size()), text.substr(5));
  // Zero bytes touch nothing.
  unmask(nullptr, 0, rfc_mask, 3);
}

// RFC 6455 5.3: byte i of the payload is XORed with mask[i mod 4]. Checked
// against that definition at every length and offset around the word steps.
TEST(ws_frame, unmask_matches_the_rfc_definition_at_every_length_and_offset) {
  const std::array<std::uint8_t, 4> mask{0x8a, 0x13, 0xf0, 0x5c};
  for (std::size_t size = 0; size <= 70; ++size) {
    for (std::size_t offset = 0; offset < 8; ++offset) {
      bytes data(size);
      for (std::size_t i = 0; i < size; ++i) {
        data[i] = static_cast<std::uint8_t>(i * 37U + 11U);
      }
      bytes expected = data;
      for (std::size_t i = 0; i < size; ++i) {
        expected[i] = static_cast<std::uint8_t>(expected[i] ^ mask[(offset + i) % 4]);
      }
      unmask(data.data(), data.size(), mask, offset);
      EXPECT_EQ(data, expected) << "size " << size << ", offset " << offset;
    }
  }
}

TEST(ws_frame, writes_server_headers_with_minimal_lengths) {
  struct row {
    std::uint64_t length;
    bytes expected;
  };
  const std::vector<row> rows{
      {0, {0x82, 0x00}},
      {125, {0x82, 0x7d}},
      {126, {0x82, 0x7e, 0x00, 0x7e}},
      {65535, {0x82, 0x7e, 0xff, 0xff}},
      {65536, {0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}},
      {std::uint64_t{1} << 32U, {0x82, 0x7f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00}},
  };
  for (const row& r : rows) {
    std::array<std::uint8_t, max_header_bytes> out{};
    const std::size_t n = write_server_header(opcode::binary, r.length, out);
    EXPECT_EQ(bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)), r.expected)
        << "length " << r.length;

    // With the mask bit and a mask added it is a client header of the same frame.
    bytes as_client(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
    as_client[1] |= 0x80U;
    as_client.insert(as_client.end(), rfc_mask.begin(), rfc_mask.end());
    frame_header h;
    ASSERT_EQ(parse(as_client, h), parse_status::ok);
    EXPECT_EQ(h.length, r.length);
    EXPECT_EQ(h.header_bytes, n + 4);
  }
}

TEST(ws_frame, writes_final_frames_with_the_opcode) {
  // RFC 6455 section 5.7: the unmasked "Hello" and ping headers.
  std::array<std::uint8_t, max_header_bytes> out{};
  ASSERT_EQ(write_server_header(opcode::text, 5, out), 2U);
  EXPECT_EQ(out[0], 0x81);
  EXPECT_EQ(out[1], 0x05);
  ASSERT_EQ(write_server_header(opcode::ping, 5, out), 2U);
  EXPECT_EQ(out[0], 0x89);
  ASSERT_EQ(write_server_header(opcode::pong, 0, out), 2U);
  EXPECT_EQ(out[0], 0x8a);
  ASSERT_EQ(write_server_header(opcode::close, 2, out), 2U);
  EXPECT_EQ(out[0], 0x88);
}

TEST(ws_frame, close_frame_carries_code_and_reason) {
  EXPECT_EQ(close_frame(1000, ""), std::string("\x88\x02\x03\xe8", 4));
  EXPECT_EQ(close_frame(1001, "bye"), std::string("\x88\x05\x03\xe9", 4) + "bye");
  EXPECT_EQ(close_frame(4000, "x"), std::string("\x88\x03\x0f\xa0x", 5));
}

// The reason kept by close_frame, checked against the frame's own header.
std::string reason_of(const std::string& frame) {
  EXPECT_LE(frame.size(), 127U);
  EXPECT_EQ(static_cast<std::uint8_t>(frame[0]), 0x88);
  EXPECT_EQ(std::size_t{static_cast<std::uint8_t>(frame[1])}, frame.size() - 2);
  return frame.substr(4);
}

std::string repeat(const std::string& s, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) {
    out += s;
  }
  return out;
}

TEST(ws_frame, close_frame_cuts_a_long_reason_on_a_utf8_boundary) {
  const std::string e_acute = "\xc3\xa9";           // 2 bytes
  const std::string euro = "\xe2\x82\xac";          // 3 bytes
  const std::string grinning = "\xf0\x9f\x98\x80";  // 4 bytes
  struct row {
    std::string reason;
    std::size_t kept;
  };
  const std::vector<row> rows{
      // ASCII: exactly 123 bytes fit beside the code.
      {std::string(123, 'a'), 123},
      {std::string(124, 'a'), 123},
      {std::string(400, 'a'), 123},
      // A character that would straddle byte 123 goes whole.
      {std::string(122, 'a') + e_acute + "tail", 122},
      {std::string(121, 'a') + euro + "tail", 121},
      {std::string(122, 'a') + euro + "tail", 122},
      {std::string(120, 'a') + grinning + "tail", 120},
      {std::string(121, 'a') + grinning + "tail", 121},
      {std::string(122, 'a') + grinning + "tail", 122},
      // A character that ends exactly at byte 123 stays.
      {std::string(121, 'a') + e_acute + "tail", 123},
      {std::string(119, 'a') + grinning + "tail", 123},
      {std::string(123, 'a') + e_acute, 123},
      // Only multi-byte characters.
      {repeat(euro, 50), 123},
      {repeat(e_acute, 100), 122},
      {repeat(grinning, 40), 120},
  };
  for (const row& r : rows) {
    const std::string frame = close_frame(1001, r.reason);
    EXPECT_EQ(frame.size(), 4 + r.kept) << "reason of " << r.reason.size() << " bytes";
    EXPECT_EQ(frame.substr(2, 2), std::string("\x03\xe9", 2));
    const std::string kept = reason_of(frame);
    EXPECT_EQ(kept, r.reason.substr(0, r.kept)) << "reason of " << r.reason.size() << " bytes";
  }
}

TEST(ws_frame, close_code_of_follows_rfc_section_7_4) {
  const auto code = [](std::uint16_t c, std::string_view reason = {}) {
    std::string payload{static_cast<char>(c >> 8U), static_cast<char>(c & 0xffU)};
    payload.append(reason);
    return close_code_of(payload);
  };
  EXPECT_EQ(close_code_of(""), std::optional<std::uint16_t>(1005));
  EXPECT_EQ(close_code_of(std::string_view("\x03", 1)), std::nullopt);
  EXPECT_EQ(code(1000), std::optional<std::uint16_t>(1000));
  EXPECT_EQ(code(1000, "bye"), std::optional<std::uint16_t>(1000));
  for (const std::uint16_t valid : std::initializer_list<std::uint16_t>{
           1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999}) {
    EXPECT_EQ(code(valid), std::optional<std::uint16_t>(valid)) << valid;
  }
  for (const std::uint16_t invalid : std::initializer_list<std::uint16_t>{
           0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    EXPECT_EQ(code(invalid), std::nullopt) << invalid;
  }
}

TEST(ws_frame, close_frame_code_reads_back) {
  for (const std::uint16_t c :
       std::initializer_list<std::uint16_t>{1000, 1001, 1002, 1008, 1009, 1011, 4000, 4999}) {
    const std::string frame = close_frame(c, "why");
    EXPECT_EQ(close_code_of(std::string_view(frame).substr(2)), std::optional<std::uint16_t>(c));
  }
}

}  // namespace
}  // namespace hearth::wire::ws
