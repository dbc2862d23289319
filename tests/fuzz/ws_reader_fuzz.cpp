// Fuzz harness for message reassembly (server/wire/ws_reader), which turns
// every read from a client into messages. The input chooses a message limit,
// where the reads end and when the sink stops the reader; the rest is the
// client's bytes. They are fed in those reads, continuing after each yield as
// ws_session.cpp does, and what the sink sees is compared, after every read,
// with a simple reassembly of all the bytes received so far at once.
//
// Input: [limit index (3 bits) | stop point (5 bits)] [read count N (4 bits)]
//        [N read sizes, one byte each] [client bytes; the last read takes the rest]
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "wire/ws_frame.hpp"
#include "wire/ws_reader.hpp"

namespace {

namespace ws = hearth::wire::ws;
using hearth::fuzz::check;

// Small limits make 1009 reachable with short inputs; the last is the
// server's (server/net/settings.hpp: max_message_bytes).
constexpr std::array<std::size_t, 8> limits{0, 1, 5, 16, 125, 126, 1024, 64 * 1024};

enum class kind : std::uint8_t { message, ping, close, failure };

struct event {
  kind what = kind::message;
  ws::opcode op = ws::opcode::binary;
  std::string payload;
  std::uint16_t code = 0;

  bool operator==(const event&) const = default;
};

// RFC 6455 sections 5.4 and 5.5 over the whole stream at once: frames one
// after another, a header refused as soon as it is complete enough to judge,
// a frame acted on once its payload is all there. Headers are read by
// parse_client_header, which ws_frame_fuzz.cpp checks on its own.
std::vector<event> reference_read(std::span<const std::uint8_t> stream, std::size_t limit) {
  std::vector<event> out;
  std::size_t pos = 0;
  bool in_message = false;
  ws::opcode message_op = ws::opcode::binary;
  std::string message;
  const auto failure = [&out](std::uint16_t code) {
    out.push_back({kind::failure, ws::opcode::binary, {}, code});
  };
  while (true) {
    ws::frame_header header;
    const ws::parse_status status =
        ws::parse_client_header(stream.data() + pos, stream.size() - pos, limit, header);
    if (status == ws::parse_status::need_more) {
      break;
    }
    if (status == ws::parse_status::protocol_error) {
      failure(1002);
      break;
    }
    if (status == ws::parse_status::too_big) {
      failure(1009);
      break;
    }
    // A continuation that would take the message over the limit is refused
    // from its header, before its payload arrives.
    if (header.op == ws::opcode::continuation && in_message &&
        message.size() + header.length > limit) {
      failure(1009);
      break;
    }
    if (stream.size() - pos - header.header_bytes < header.length) {
      break;
    }
    const auto length = static_cast<std::size_t>(header.length);
    std::string payload(length, '\0');
    for (std::size_t i = 0; i < length; ++i) {
      payload[i] = static_cast<char>(stream[pos + header.header_bytes + i] ^ header.mask[i % 4]);
    }
    pos += header.header_bytes + length;
    if (header.op == ws::opcode::ping) {
      out.push_back({kind::ping, header.op, payload, 0});
    } else if (header.op == ws::opcode::close) {
      out.push_back({kind::close, header.op, payload, 0});
    } else if (header.op == ws::opcode::pong) {
      // Unsolicited pongs are ignored (section 5.5.3).
    } else if (header.op != ws::opcode::continuation) {
      if (in_message) {
        failure(1002);  // section 5.4: fragments of one message are not interleaved
        break;
      }
      if (header.fin) {
        out.push_back({kind::message, header.op, payload, 0});
      } else {
        in_message = true;
        message_op = header.op;
        message = payload;
      }
    } else {
      if (!in_message) {
        failure(1002);
        break;
      }
      if (message.size() + payload.size() > limit) {
        failure(1009);
        break;
      }
      message += payload;
      if (header.fin) {
        out.push_back({kind::message, message_op, message, 0});
        in_message = false;
        message.clear();
      }
    }
  }
  return out;
}

// Records every callback, copying the payload only after a stop() so that
// ASan reports a payload released under the sink's feet.
class recording_sink final : public ws::reader_sink {
 public:
  recording_sink(ws::message_reader& reader, std::size_t stop_at)
      : reader_(reader), stop_at_(stop_at) {}

  std::vector<event> seen;
  std::size_t messages_this_feed = 0;

  void on_message(ws::opcode op, std::string_view payload) override {
    ++messages_this_feed;
    record({kind::message, op, {}, 0}, payload);
  }
  void on_ping(std::string_view payload) override {
    record({kind::ping, ws::opcode::ping, {}, 0}, payload);
  }
  void on_close_frame(std::string_view payload) override {
    record({kind::close, ws::opcode::close, {}, 0}, payload);
  }
  void on_failure(std::uint16_t code, std::string_view reason) override {
    check(reader_.stopped(), "the reader has stopped when it reports a failure");
    check(!reason.empty(), "a failure has a reason");
    record({kind::failure, ws::opcode::binary, {}, code}, {});
  }

 private:
  void record(event e, std::string_view payload) {
    check(!reader_.stopped() || e.what == kind::failure, "nothing is delivered after stop()");
    if (seen.size() + 1 == stop_at_) {
      reader_.stop();
    }
    e.payload.assign(payload);
    seen.push_back(std::move(e));
  }

  ws::message_reader& reader_;
  std::size_t stop_at_;  // 1-based; 0: never
};

// One feed() from its own exactly sized allocation (so that ASan sees a read
// past it), scribbled over and freed afterwards, as the session reuses its read
// buffer: the reader must keep nothing pointing into it.
void feed_read(ws::message_reader& reader, recording_sink& sink,
               std::span<const std::uint8_t> bytes) {
  std::vector<char> read(bytes.begin(), bytes.end());
  sink.messages_this_feed = 0;
  reader.feed(read.data(), read.size(), sink);
  std::fill(read.begin(), read.end(), static_cast<char>(0xA5));
  check(sink.messages_this_feed <= 1, "at most one message per feed()");
  while (reader.yielded()) {
    check(sink.messages_this_feed == 1, "a yield follows a delivered message");
    check(!reader.stopped(), "a stopped reader does not yield");
    sink.messages_this_feed = 0;
    reader.feed(nullptr, 0, sink);
    check(sink.messages_this_feed <= 1, "at most one message per feed()");
  }
}

std::vector<event> expected_after(std::span<const std::uint8_t> received, std::size_t limit,
                                  std::size_t stop_at) {
  std::vector<event> expected = reference_read(received, limit);
  if (stop_at != 0 && expected.size() > stop_at) {
    expected.resize(stop_at);
  }
  return expected;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const std::size_t limit = limits[data[0] & 0x7U];
  const std::size_t stop_at = data[0] >> 3U;
  const std::size_t reads = data[1] & 0xFU;
  if (size < 2 + reads) {
    return 0;
  }
  const std::span<const std::uint8_t> sizes(data + 2, reads);
  const std::span<const std::uint8_t> stream(data + 2 + reads, size - 2 - reads);

  ws::message_reader reader(limit);
  recording_sink sink(reader, stop_at);
  std::size_t received = 0;
  for (std::size_t i = 0; i <= reads; ++i) {
    const std::size_t rest = stream.size() - received;
    const std::size_t n = i < reads ? std::min<std::size_t>(sizes[i], rest) : rest;
    feed_read(reader, sink, stream.subspan(received, n));
    received += n;
    // Whatever can be acted on is acted on now, not when more bytes come.
    check(sink.seen == expected_after(stream.first(received), limit, stop_at),
          "the reader sees what a reassembly of all bytes so far sees");
    const bool ended = !sink.seen.empty() &&
                       (sink.seen.back().what == kind::failure || sink.seen.size() == stop_at);
    check(reader.stopped() == ended, "the reader stops at a failure or stop(), not otherwise");
  }

  // A stopped reader ignores more input, also a complete message.
  if (reader.stopped()) {
    const std::size_t before = sink.seen.size();
    constexpr std::array<std::uint8_t, 7> message{0x82, 0x81, 1, 2, 3, 4, 'x' ^ 1};
    feed_read(reader, sink, message);
    check(sink.seen.size() == before, "input after a stop is ignored");
  }
  return 0;
}
