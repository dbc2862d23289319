// Length-prefixed protobuf framing.
#include "wire/frame_codec.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <optional>

namespace hearth::wire {
namespace {

template <typename Message>
shared_bytes encode_any(const Message& message) {
  const std::size_t body = message.ByteSizeLong();
  const auto prefix =
      static_cast<std::size_t>(google::protobuf::io::CodedOutputStream::VarintSize64(body));
  return shared_bytes::make(prefix + body, [&](char* out) {
    auto* data = reinterpret_cast<std::uint8_t*>(out);
    google::protobuf::io::CodedOutputStream::WriteVarint64ToArray(body, data);
    message.SerializeWithCachedSizesToArray(data + prefix);
  });
}

// Reads a record's length prefix in full. CodedInputStream::ReadVarint32 keeps
// only the low 32 bits of a longer varint, so a prefix claiming more than any
// frame holds (2^32 + 1, or a 10-byte varint that wraps to 0) would pass as a
// small length, and the frame would decode where other readers of the protocol
// reject it.
std::optional<std::uint64_t> read_length(google::protobuf::io::CodedInputStream& in) {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    std::uint8_t byte = 0;
    if (!in.ReadRaw(&byte, 1)) {
      return std::nullopt;
    }
    if (shift == 63 && byte > 1) {
      return std::nullopt;  // only the lowest bit of a 10th byte fits in 64 bits
    }
    value |= std::uint64_t{byte & 0x7fU} << shift;
    if ((byte & 0x80U) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

template <typename Message>
decode_status decode_any(std::string_view frame, std::size_t max_messages,
                         std::vector<Message>& out) {
  out.clear();
  if (frame.empty()) {
    return decode_status::empty;
  }
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(frame.data()),
                                            static_cast<int>(frame.size()));
  auto remaining = [&] { return frame.size() - static_cast<std::size_t>(in.CurrentPosition()); };
  while (remaining() != 0) {
    if (out.size() == max_messages) {
      out.clear();
      return decode_status::too_many;
    }
    const std::optional<std::uint64_t> length = read_length(in);
    if (!length || *length > remaining()) {
      out.clear();
      return decode_status::bad_length;
    }
    const auto limit = in.PushLimit(static_cast<int>(*length));
    Message& message = out.emplace_back();
    if (!message.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage()) {
      out.clear();
      return decode_status::bad_message;
    }
    in.PopLimit(limit);
  }
  return decode_status::ok;
}

}  // namespace

namespace {

// A ServerMessage with one field of its oneof set is that field's tag, its
// length and its bytes: protobuf's encoding of an embedded message.
shared_bytes encode_wrapped(std::uint32_t field, const google::protobuf::MessageLite& inner) {
  using google::protobuf::internal::WireFormatLite;
  using google::protobuf::io::CodedOutputStream;
  const std::size_t inner_size = inner.ByteSizeLong();
  const std::uint32_t tag =
      WireFormatLite::MakeTag(static_cast<int>(field), WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  const std::size_t body = static_cast<std::size_t>(CodedOutputStream::VarintSize32(tag)) +
                           static_cast<std::size_t>(CodedOutputStream::VarintSize64(inner_size)) +
                           inner_size;
  const auto prefix = static_cast<std::size_t>(CodedOutputStream::VarintSize64(body));
  return shared_bytes::make(prefix + body, [&](char* out) {
    auto* data = reinterpret_cast<std::uint8_t*>(out);
    data = CodedOutputStream::WriteVarint64ToArray(body, data);
    data = CodedOutputStream::WriteVarint32ToArray(tag, data);
    data = CodedOutputStream::WriteVarint64ToArray(inner_size, data);
    inner.SerializeWithCachedSizesToArray(data);
  });
}

}  // namespace

shared_bytes encode(const v1::ServerMessage& message) { return encode_any(message); }

shared_bytes encode_event(const v1::Event& event) {
  return encode_wrapped(v1::ServerMessage::kEventFieldNumber, event);
}

shared_bytes encode_reply(const v1::Reply& reply) {
  return encode_wrapped(v1::ServerMessage::kReplyFieldNumber, reply);
}
shared_bytes encode(const v1::ClientMessage& message) { return encode_any(message); }

std::string_view decode_status_name(decode_status s) {
  switch (s) {
    case decode_status::ok:
      return "ok";
    case decode_status::empty:
      return "empty";
    case decode_status::bad_length:
      return "bad_length";
    case decode_status::bad_message:
      return "bad_message";
    case decode_status::too_many:
      return "too_many";
  }
  return "unknown";
}

decode_status decode_client_frame(std::string_view frame, std::size_t max_messages,
                                  std::vector<v1::ClientMessage>& out) {
  return decode_any(frame, max_messages, out);
}

decode_status decode_server_frame(std::string_view frame, std::size_t max_messages,
                                  std::vector<v1::ServerMessage>& out) {
  return decode_any(frame, max_messages, out);
}

}  // namespace hearth::wire
