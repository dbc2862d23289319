// Framing: round trips, batching and every malformed-frame class.
#include "wire/frame_codec.hpp"

#include <gtest/gtest.h>

namespace hearth::wire {
namespace {

v1::ClientMessage chat_message(const std::string& text) {
  v1::ClientMessage m;
  m.set_request_id(3);
  m.mutable_send_chat()->set_text(text);
  return m;
}

TEST(frame_codec, batches_decode_in_order) {
  const std::string frame = std::string(encode(chat_message("a")).view()) +
                            std::string(encode(chat_message("bb")).view());
  std::vector<v1::ClientMessage> out;
  ASSERT_EQ(decode_client_frame(frame, 16, out), decode_status::ok);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[0].send_chat().text(), "a");
  EXPECT_EQ(out[1].send_chat().text(), "bb");
}

// encode_event and encode_reply write the envelope by hand; they must give
// the bytes a ServerMessage holding the same event or reply encodes to, at
// sizes whose lengths take one, two and three varint bytes.
TEST(frame_codec, events_and_replies_encode_as_their_envelope_would) {
  for (const std::size_t size :
       {0UL, 1UL, 100UL, 127UL, 128UL, 300UL, 16'383UL, 16'384UL, 70'000UL}) {
    v1::Event event;
    event.set_seq(7);
    event.set_server_time_ms(1'700'000'000'000);
    event.mutable_chat()->set_from_member_id(3);
    event.mutable_chat()->set_text(std::string(size, 'x'));
    v1::ServerMessage wrapped_event;
    *wrapped_event.mutable_event() = event;
    EXPECT_EQ(std::string(encode_event(event).view()), std::string(encode(wrapped_event).view()))
        << size;

    v1::Reply reply;
    reply.set_request_id(9);
    if (size != 0) {
      reply.mutable_error()->set_message(std::string(size, 'y'));
    }
    v1::ServerMessage wrapped_reply;
    *wrapped_reply.mutable_reply() = reply;
    EXPECT_EQ(std::string(encode_reply(reply).view()), std::string(encode(wrapped_reply).view()))
        << size;

    std::vector<v1::ServerMessage> out;
    ASSERT_EQ(decode_server_frame(
                  std::string(encode_event(event).view()) + std::string(encode_reply(reply).view()),
                  4, out),
              decode_status::ok);
    ASSERT_EQ(out.size(), 2U);
    EXPECT_EQ(out[0].event().chat().text().size(), size);
    EXPECT_TRUE(out[1].has_reply());
  }
  // An empty reply still sets the oneof: the envelope is its tag and a zero length.
  EXPECT_EQ(std::string(encode_reply(v1::Reply{}).view()), std::string("\x02\x0a\x00", 3));
}

TEST(frame_codec, rejects_malformed_frames_whole) {
  std::vector<v1::ClientMessage> out;
  const std::string good = std::string(encode(chat_message("hello")).view());
  EXPECT_EQ(decode_client_frame("", 16, out), decode_status::empty);
  EXPECT_EQ(decode_client_frame(good.substr(0, good.size() - 1), 16, out),
            decode_status::bad_length);
  EXPECT_EQ(decode_client_frame(good + "\xff", 16, out), decode_status::bad_length);
  EXPECT_TRUE(out.empty());
  // A correct length around bytes that are not a message (field 0 is invalid).
  EXPECT_EQ(decode_client_frame(std::string("\x02\x00\x00", 3), 16, out),
            decode_status::bad_message);
  // Invalid UTF-8 in a string field.
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text("ok");
  std::string bytes = std::string(encode(m).view());
  bytes[bytes.size() - 1] = '\xff';
  EXPECT_EQ(decode_client_frame(bytes, 16, out), decode_status::bad_message);
  EXPECT_EQ(decode_client_frame(good + good + good, 2, out), decode_status::too_many);
}

// A length prefix is read in full: values of 2^32 and more must not be cut to
// 32 bits and pass as a small length (found by the frame fuzzer).
TEST(frame_codec, length_prefixes_beyond_32_bits_are_bad_lengths) {
  std::vector<v1::ClientMessage> out;
  // 2^32, which 32-bit reading takes as 0.
  EXPECT_EQ(decode_client_frame(std::string("\x80\x80\x80\x80\x10", 5), 16, out),
            decode_status::bad_length);
  // 2^32 + 1 followed by one byte, which 32-bit reading takes as a 1-byte record.
  EXPECT_EQ(decode_client_frame(std::string("\x81\x80\x80\x80\x10\x08", 6), 16, out),
            decode_status::bad_length);
  // A 10-byte varint that wraps to 0 in 32 bits.
  EXPECT_EQ(
      decode_client_frame(std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02", 10), 16, out),
      decode_status::bad_length);
  EXPECT_TRUE(out.empty());
}

TEST(frame_codec, unknown_command_parses_with_no_command_set) {
  // Field 99, varint 1: a command from a newer protocol revision.
  const std::string body("\x98\x06\x01", 3);
  const std::string frame = std::string(1, static_cast<char>(body.size())) + body;
  std::vector<v1::ClientMessage> out;
  ASSERT_EQ(decode_client_frame(frame, 16, out), decode_status::ok);
  EXPECT_EQ(out[0].command_case(), v1::ClientMessage::COMMAND_NOT_SET);
}

}  // namespace
}  // namespace hearth::wire
