// Message reassembly from client input (wire::ws::message_reader): frames split
// across reads, fragmented messages with control frames in between, one
// message per feed() with yields, limits, failures and stopping from a sink.
#include "wire/ws_reader.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire/ws_frame.hpp"

namespace hearth::wire::ws {
namespace {

using events = std::vector<std::string>;

constexpr std::size_t big_limit = 64 * 1024;  // server/net/settings.hpp: max_message_bytes
constexpr std::array<std::uint8_t, 4> rfc_mask{0x37, 0xfa, 0x21, 0x3d};

// A masked client frame with the shortest length encoding.
std::string frame(opcode op, std::string_view payload, bool fin = true) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80U : 0U) | static_cast<std::uint8_t>(op)));
  const std::uint64_t length = payload.size();
  if (length <= 125) {
    out.push_back(static_cast<char>(0x80U | length));
  } else if (length <= 0xffff) {
    out.push_back(static_cast<char>(0x80U | 126U));
    out.push_back(static_cast<char>(length >> 8U));
    out.push_back(static_cast<char>(length & 0xffU));
  } else {
    out.push_back(static_cast<char>(0x80U | 127U));
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((length >> static_cast<unsigned>(shift)) & 0xffU));
    }
  }
  out.append(rfc_mask.begin(), rfc_mask.end());
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ rfc_mask[i % 4]));
  }
  return out;
}

// Only the header of a binary frame of `length` bytes, for limits hit before
// the payload has arrived.
std::string binary_header(std::uint64_t length) {
  std::string out = frame(opcode::binary, {});
  out.resize(2);
  if (length <= 125) {
    out[1] = static_cast<char>(0x80U | length);
  } else {
    out[1] = static_cast<char>(0x80U | 127U);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((length >> static_cast<unsigned>(shift)) & 0xffU));
    }
  }
  out.append(rfc_mask.begin(), rfc_mask.end());
  return out;
}

std::string op_name(opcode op) {
  switch (op) {
    case opcode::text:
      return "text";
    case opcode::binary:
      return "binary";
    default:
      return "opcode " + std::to_string(static_cast<int>(op));
  }
}

// Records what the reader hands over as readable strings. A close payload is
// copied after the sink's stop(), so that the sanitize build reports a payload
// released by stop() while the sink still looks at it.
class recording_sink final : public reader_sink {
 public:
  events seen;
  message_reader* stop_on_close = nullptr;

  void on_message(opcode op, std::string_view payload) override {
    seen.push_back(op_name(op) + ":" + std::string(payload));
  }
  void on_ping(std::string_view payload) override {
    seen.push_back("ping:" + std::string(payload));
  }
  void on_close_frame(std::string_view payload) override {
    if (stop_on_close != nullptr) {
      stop_on_close->stop();  // as ws_session does
    }
    seen.push_back("close:" + std::string(payload));
  }
  void on_failure(std::uint16_t code, std::string_view reason) override {
    EXPECT_FALSE(reason.empty());
    seen.push_back("failure:" + std::to_string(code));
  }
};

// Feeds one read from its own exactly sized allocation, so that the sanitize
// build reports a read past it, or a use after it is gone.
void feed(message_reader& reader, std::string_view bytes, recording_sink& sink) {
  std::vector<char> read(bytes.begin(), bytes.end());
  reader.feed(read.data(), read.size(), sink);
}

// Feeds one read and continues after every yield, as ws_session does.
void feed_all(message_reader& reader, std::string_view bytes, recording_sink& sink) {
  feed(reader, bytes, sink);
  while (reader.yielded()) {
    reader.feed(nullptr, 0, sink);
  }
}

TEST(ws_reader, one_message_in_one_read) {
  message_reader reader(big_limit);
  recording_sink sink;
  feed(reader, frame(opcode::binary, "hello"), sink);
  EXPECT_EQ(sink.seen, events{"binary:hello"});
  EXPECT_FALSE(reader.yielded());
  EXPECT_FALSE(reader.stopped());
}

TEST(ws_reader, a_stream_split_at_every_byte_arrives_whole) {
  struct row {
    std::string stream;
    events expected;
  };
  const std::vector<row> rows{
      {frame(opcode::binary, "hello"), {"binary:hello"}},
      {frame(opcode::binary, std::string(300, 'x')),  // 16-bit length
       {"binary:" + std::string(300, 'x')}},
      {frame(opcode::binary, "frag", false) + frame(opcode::ping, "p") +
           frame(opcode::continuation, "ment"),
       {"ping:p", "binary:fragment"}},
      {frame(opcode::binary, "one") + frame(opcode::binary, "two"), {"binary:one", "binary:two"}},
  };
  for (const row& r : rows) {
    for (std::size_t split = 0; split <= r.stream.size(); ++split) {
      message_reader reader(big_limit);
      recording_sink sink;
      const std::string_view stream(r.stream);
      feed_all(reader, stream.substr(0, split), sink);
      if (split < stream.size()) {
        // The last frame is still incomplete.
        EXPECT_LT(sink.seen.size(), r.expected.size()) << "split at " << split;
      }
      feed_all(reader, stream.substr(split), sink);
      EXPECT_EQ(sink.seen, r.expected)
          << "stream of " << stream.size() << " bytes split at " << split;
      EXPECT_FALSE(reader.stopped());
    }
  }
}

TEST(ws_reader, a_large_frame_split_in_its_header_arrives_whole) {
  const std::string payload(70000, 'y');  // 64-bit length
  const std::string stream = frame(opcode::binary, payload);
  for (std::size_t split = 0; split <= 16; ++split) {
    message_reader reader(payload.size());
    recording_sink sink;
    feed(reader, std::string_view(stream).substr(0, split), sink);
    EXPECT_TRUE(sink.seen.empty());
    feed(reader, std::string_view(stream).substr(split), sink);
    EXPECT_EQ(sink.seen, events{"binary:" + payload}) << "split at " << split;
  }
}

TEST(ws_reader, one_message_per_feed_then_continues_after_a_yield) {
  message_reader reader(big_limit);
  recording_sink sink;
  feed(reader, frame(opcode::binary, "first") + frame(opcode::binary, "second"), sink);
  EXPECT_EQ(sink.seen, events{"binary:first"});
  EXPECT_TRUE(reader.yielded());

  reader.feed(nullptr, 0, sink);
  EXPECT_EQ(sink.seen, (events{"binary:first", "binary:second"}));
  EXPECT_FALSE(reader.yielded());

  reader.feed(nullptr, 0, sink);
  EXPECT_EQ(sink.seen.size(), 2U);
  EXPECT_FALSE(reader.yielded());
}

TEST(ws_reader, yields_with_input_kept_from_an_earlier_read) {
  const std::string first = frame(opcode::binary, "first");
  message_reader reader(big_limit);
  recording_sink sink;
  feed(reader, std::string_view(first).substr(0, 3), sink);
  feed(reader,
       first.substr(3) + frame(opcode::ping, "p") + frame(opcode::binary, "second") +
           frame(opcode::binary, "third"),
       sink);
  EXPECT_EQ(sink.seen, events{"binary:first"});
  EXPECT_TRUE(reader.yielded());
  reader.feed(nullptr, 0, sink);
  EXPECT_EQ(sink.seen, (events{"binary:first", "ping:p", "binary:second"}));
  EXPECT_TRUE(reader.yielded());
  reader.feed(nullptr, 0, sink);
  EXPECT_EQ(sink.seen, (events{"binary:first", "ping:p", "binary:second", "binary:third"}));
  EXPECT_FALSE(reader.yielded());
}

TEST(ws_reader, control_frames_inside_a_fragmented_message_leave_it_whole) {
  message_reader reader(big_limit);
  recording_sink sink;
  feed(reader,
       frame(opcode::binary, "He", false) + frame(opcode::ping, "p1") +
           frame(opcode::continuation, "l", false) + frame(opcode::pong, "ignored") +
           frame(opcode::continuation, "l", false) + frame(opcode::close, "\x03\xe8") +
           frame(opcode::continuation, "o"),
       sink);
  // Stopping after a close frame is the sink's choice; this one does not.
  EXPECT_EQ(sink.seen, (events{"ping:p1", "close:\x03\xe8", "binary:Hello"}));
  EXPECT_FALSE(reader.stopped());
}

TEST(ws_reader, control_frames_inside_a_fragmented_message_across_reads) {
  const std::string stream = frame(opcode::text, "ab", false) + frame(opcode::ping, "") +
                             frame(opcode::continuation, "cd");
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    message_reader reader(big_limit);
    recording_sink sink;
    feed(reader, std::string_view(stream).substr(0, split), sink);
    feed(reader, std::string_view(stream).substr(split), sink);
    EXPECT_EQ(sink.seen, (events{"ping:", "text:abcd"})) << "split at " << split;
  }
}

TEST(ws_reader, a_continuation_without_a_message_is_a_protocol_error) {
  message_reader reader(big_limit);
  recording_sink sink;
  feed(reader, frame(opcode::continuation, "x"), sink);
  EXPECT_EQ(sink.seen, events{"failure:1002"});
  EXPECT_TRUE(reader.stopped());

  // Also once the previous message is complete.
  message_reader after(big_limit);
  recording_sink after_sink;
  feed_all(after,
           frame(opcode::binary, "a", false) + frame(opcode::continuation, "b") +
               frame(opcode::continuation, "c"),
           after_sink);
  EXPECT_EQ(after_sink.seen, (events{"binary:ab", "failure:1002"}));
}

TEST(ws_reader, a_new_message_inside_a_fragmented_one_is_a_protocol_error) {
  for (const opcode op : {opcode::binary, opcode::text}) {
    for (const bool fin : {true, false}) {
      message_reader reader(big_limit);
      recording_sink sink;
      feed(reader,
           frame(opcode::binary, "a", false) + frame(op, "b", fin) +
               frame(opcode::continuation, "c"),
           sink);
      EXPECT_EQ(sink.seen, events{"failure:1002"}) << op_name(op) << " fin " << fin;
      EXPECT_TRUE(reader.stopped());
    }
  }
}

TEST(ws_reader, a_fragmented_message_over_the_limit_is_too_big) {
  message_reader reader(10);
  recording_sink sink;
  feed_all(reader,
           frame(opcode::binary, "12345", false) + frame(opcode::continuation, "678901") +
               frame(opcode::binary, "after"),
           sink);
  EXPECT_EQ(sink.seen, events{"failure:1009"});
  EXPECT_TRUE(reader.stopped());

  // Exactly at the limit is fine, also across many fragments.
  message_reader at_limit(10);
  recording_sink at_limit_sink;
  feed_all(at_limit,
           frame(opcode::binary, "1234", false) + frame(opcode::continuation, "", false) +
               frame(opcode::continuation, "567", false) + frame(opcode::continuation, "890"),
           at_limit_sink);
  EXPECT_EQ(at_limit_sink.seen, events{"binary:1234567890"});
}

TEST(ws_reader, a_frame_over_the_limit_fails_before_its_payload_arrives) {
  for (const std::uint64_t length : {std::uint64_t{11}, std::uint64_t{1} << 40U}) {
    message_reader reader(10);
    recording_sink sink;
    feed(reader, binary_header(length), sink);
    EXPECT_EQ(sink.seen, events{"failure:1009"}) << "length " << length;
    EXPECT_TRUE(reader.stopped());
  }
  // A continuation frame too, inside a message that still had room.
  message_reader reader(10);
  recording_sink sink;
  std::string continuation = binary_header(11);
  continuation[0] = 0x00;
  feed(reader, frame(opcode::binary, "1", false) + continuation, sink);
  EXPECT_EQ(sink.seen, events{"failure:1009"});

  // And one that fits a frame but not the message assembled so far.
  message_reader partly(10);
  recording_sink partly_sink;
  std::string six = binary_header(6);
  six[0] = 0x00;
  feed(partly, frame(opcode::binary, "12345", false) + six, partly_sink);
  EXPECT_EQ(partly_sink.seen, events{"failure:1009"});
  EXPECT_TRUE(partly.stopped());
}

TEST(ws_reader, a_malformed_frame_is_a_protocol_error) {
  message_reader reader(big_limit);
  recording_sink sink;
  std::string unmasked = frame(opcode::binary, "x");
  unmasked[1] = static_cast<char>(static_cast<std::uint8_t>(unmasked[1]) & 0x7fU);
  feed_all(reader, frame(opcode::binary, "ok") + unmasked, sink);
  EXPECT_EQ(sink.seen, (events{"binary:ok", "failure:1002"}));
}

TEST(ws_reader, input_after_a_failure_is_ignored) {
  message_reader reader(big_limit);
  recording_sink sink;
  feed(reader, frame(opcode::continuation, "x") + frame(opcode::binary, "same read"), sink);
  EXPECT_EQ(sink.seen, events{"failure:1002"});
  EXPECT_FALSE(reader.yielded());
  feed_all(reader, frame(opcode::binary, "later") + frame(opcode::ping, "p"), sink);
  reader.feed(nullptr, 0, sink);
  EXPECT_EQ(sink.seen, events{"failure:1002"});
  EXPECT_TRUE(reader.stopped());
}

TEST(ws_reader, input_after_stop_is_ignored) {
  message_reader reader(big_limit);
  recording_sink sink;
  const std::string first = frame(opcode::binary, "first");
  feed(reader, first + frame(opcode::binary, "second"), sink);
  ASSERT_TRUE(reader.yielded());
  reader.stop();  // with input kept after a yield
  EXPECT_FALSE(reader.yielded());
  EXPECT_TRUE(reader.stopped());
  reader.feed(nullptr, 0, sink);
  feed_all(reader, frame(opcode::binary, "third"), sink);
  EXPECT_EQ(sink.seen, events{"binary:first"});

  message_reader partial(big_limit);
  recording_sink partial_sink;
  feed(partial, std::string_view(first).substr(0, 4), partial_sink);
  partial.stop();  // with an incomplete frame kept
  feed(partial, std::string_view(first).substr(4), partial_sink);
  EXPECT_TRUE(partial_sink.seen.empty());
}

TEST(ws_reader, stop_inside_on_close_frame_ends_the_input) {
  const std::string close = frame(opcode::close, "\x03\xe8 bye");
  const std::string stream = frame(opcode::binary, "before") + frame(opcode::ping, "p") + close +
                             frame(opcode::binary, "after") + frame(opcode::ping, "q");
  // Every split, so that the close payload lies in the caller's buffer or in
  // input the reader kept.
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    message_reader reader(big_limit);
    recording_sink sink;
    sink.stop_on_close = &reader;
    feed_all(reader, std::string_view(stream).substr(0, split), sink);
    feed_all(reader, std::string_view(stream).substr(split), sink);
    EXPECT_EQ(sink.seen, (events{"binary:before", "ping:p", "close:\x03\xe8 bye"}))
        << "split at " << split;
    EXPECT_TRUE(reader.stopped());
    EXPECT_FALSE(reader.yielded());
    feed_all(reader, frame(opcode::binary, "later"), sink);
    EXPECT_EQ(sink.seen.size(), 3U);
  }
}

TEST(ws_reader, stop_inside_on_close_frame_drops_a_fragmented_message) {
  message_reader reader(big_limit);
  recording_sink sink;
  sink.stop_on_close = &reader;
  feed_all(reader,
           frame(opcode::binary, "part", false) + frame(opcode::close, "") +
               frame(opcode::continuation, "rest"),
           sink);
  EXPECT_EQ(sink.seen, events{"close:"});
  feed_all(reader, frame(opcode::continuation, "more"), sink);
  EXPECT_EQ(sink.seen, events{"close:"});
}

TEST(ws_reader, a_text_message_is_delivered_as_text) {
  message_reader reader(big_limit);
  recording_sink sink;
  // Even invalid UTF-8: what to do with text is the session's decision.
  feed_all(reader,
           frame(opcode::text, "hi") + frame(opcode::text, "fr", false) +
               frame(opcode::continuation, "ag") + frame(opcode::text, "\xff"),
           sink);
  EXPECT_EQ(sink.seen, (events{"text:hi", "text:frag", "text:\xff"}));
  EXPECT_FALSE(reader.stopped());
}

TEST(ws_reader, an_empty_binary_message_is_delivered) {
  message_reader reader(0);
  recording_sink sink;
  feed_all(reader,
           frame(opcode::binary, "") + frame(opcode::binary, "", false) +
               frame(opcode::continuation, ""),
           sink);
  EXPECT_EQ(sink.seen, (events{"binary:", "binary:"}));
  EXPECT_FALSE(reader.stopped());
}

}  // namespace
}  // namespace hearth::wire::ws
