// Fuzz harness for the frame codec (server/wire), which parses every binary
// WebSocket message a peer sends. The decoder is compared with an independent
// reading of the framing in docs/protocol.md, and every decoded message must
// come back unchanged through encode and decode.
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "wire/frame_codec.hpp"

namespace {

using google::protobuf::util::MessageDifferencer;
using hearth::fuzz::check;
using hearth::wire::decode_status;

// The limits production passes (server/net/settings.hpp, clients/lib/ws_client.cpp).
constexpr std::size_t client_max_messages = 16;
constexpr std::size_t server_max_messages = std::size_t{1} << 16U;

// The protobuf base-128 varint, read without protobuf's helpers so that a
// disagreement with them shows: at most 10 bytes and a value below 2^64.
std::optional<std::uint64_t> read_varint(std::string_view& in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 10 && i < in.size(); ++i) {
    const auto byte = static_cast<std::uint8_t>(in[i]);
    if (i == 9 && byte > 1) {
      return std::nullopt;  // bits at or above 2^64
    }
    value |= std::uint64_t{byte & 0x7fU} << (7 * i);
    if ((byte & 0x80U) == 0) {
      in.remove_prefix(i + 1);
      return value;
    }
  }
  return std::nullopt;
}

// The documented contract, written as plainly as possible: records in order,
// the first failure decides the status, and a failed frame yields nothing.
template <typename Message>
decode_status reference_decode(std::string_view frame, std::size_t max_messages,
                               std::vector<Message>& out) {
  out.clear();
  if (frame.empty()) {
    return decode_status::empty;
  }
  while (!frame.empty()) {
    if (out.size() == max_messages) {
      out.clear();
      return decode_status::too_many;
    }
    const std::optional<std::uint64_t> length = read_varint(frame);
    if (!length || *length > frame.size()) {
      out.clear();
      return decode_status::bad_length;
    }
    if (!out.emplace_back().ParseFromArray(frame.data(), static_cast<int>(*length))) {
      out.clear();
      return decode_status::bad_message;
    }
    frame.remove_prefix(static_cast<std::size_t>(*length));
  }
  return decode_status::ok;
}

template <typename Message>
bool same_messages(const std::vector<Message>& a, const std::vector<Message>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!MessageDifferencer::Equals(a[i], b[i])) {
      return false;
    }
  }
  return true;
}

template <typename Message, typename Decode>
void check_frame(std::string_view frame, std::size_t max_messages, Decode decode) {
  std::vector<Message> decoded;
  const decode_status status = decode(frame, max_messages, decoded);

  std::vector<Message> expected;
  const decode_status expected_status = reference_decode(frame, max_messages, expected);
  check(status == expected_status, "decoder status matches the documented framing");
  check(same_messages(decoded, expected), "decoder yields the documented records");
  if (status != decode_status::ok) {
    check(decoded.empty(), "a rejected frame yields no messages");
    return;
  }
  check(!decoded.empty() && decoded.size() <= max_messages, "message count within the limit");

  // Each message alone, then all of them batched the way the server sends.
  std::string batch;
  std::vector<Message> again;
  for (const Message& message : decoded) {
    const hearth::wire::shared_bytes encoded = hearth::wire::encode(message);
    check(decode(encoded.view(), 1, again) == decode_status::ok, "a re-encoded message decodes");
    check(again.size() == 1 && MessageDifferencer::Equals(again.front(), message),
          "a re-encoded message decodes to itself");
    batch += encoded.view();
  }
  check(decode(batch, decoded.size(), again) == decode_status::ok, "a re-encoded batch decodes");
  check(same_messages(again, decoded), "a re-encoded batch decodes to the same messages");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Protobuf also logs each string field with invalid UTF-8, an expected
  // rejection here; hearthd routes those lines to its own log (server/app/main.cpp).
  [[maybe_unused]] static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  // The bytes are a binary WebSocket message; chars are the codec's unit.
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  check_frame<hearth::v1::ClientMessage>(frame, client_max_messages,
                                         [](std::string_view f, std::size_t max, auto& out) {
                                           return hearth::wire::decode_client_frame(f, max, out);
                                         });
  check_frame<hearth::v1::ServerMessage>(frame, server_max_messages,
                                         [](std::string_view f, std::size_t max, auto& out) {
                                           return hearth::wire::decode_server_frame(f, max, out);
                                         });
  return 0;
}
