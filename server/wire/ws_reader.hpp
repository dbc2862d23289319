// Reassembles a client's WebSocket messages from the bytes it sends: frames
// split across reads, fragmented messages, control frames in between. Pure
// (no sockets), so it is unit-tested and fuzzed on its own.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "wire/ws_frame.hpp"

namespace hearth::wire::ws {

class reader_sink {
 public:
  // A complete text or binary message.
  virtual void on_message(opcode op, std::string_view payload) = 0;
  virtual void on_ping(std::string_view payload) = 0;
  virtual void on_close_frame(std::string_view payload) = 0;
  // 1002 (protocol error) or 1009 (too big): the reader stops.
  virtual void on_failure(std::uint16_t code, std::string_view reason) = 0;

 protected:
  ~reader_sink() = default;
};

class message_reader {
 public:
  // Limits above 4 GiB are taken as 4 GiB.
  explicit message_reader(std::size_t max_message_bytes)
      : max_message_(static_cast<std::uint32_t>(
            std::min<std::size_t>(max_message_bytes, std::numeric_limits<std::uint32_t>::max()))) {}

  // Consumes received bytes (unmasking them in place). At most one complete
  // data message is handed over per call; when more input remains, yielded()
  // is true and feed(nullptr, 0) continues with it, so the caller can let
  // other work run between one client's messages.
  void feed(char* data, std::size_t size, reader_sink& sink);
  bool yielded() const { return yielded_; }

  // Ignores all further input (after a close frame or a failure).
  void stop();
  bool stopped() const { return stopped_; }

 private:
  std::size_t parse(char* data, std::size_t size, reader_sink& sink);
  void on_frame(const frame_header& header, std::string_view payload, reader_sink& sink);
  void fail(std::uint16_t code, std::string_view reason, reader_sink& sink);
  void release();

  // Input kept between calls; allocated only while there is some, so an idle
  // connection's reader holds a null pointer rather than two empty strings.
  struct held_input {
    std::string partial;          // an incomplete frame, or input left after a yield
    std::size_t partial_pos = 0;  // where unparsed input starts in partial
    std::string message;          // a fragmented message being assembled
  };
  held_input& held();
  std::size_t assembled_bytes() const { return held_ ? held_->message.size() : 0; }
  void drop_held_if_empty();

  std::unique_ptr<held_input> held_;
  std::uint32_t max_message_;  // 32 bits: it and the flags share one 8-byte word
  opcode message_op_ = opcode::binary;
  bool in_message_ = false;
  bool yielded_ = false;
  bool stopped_ = false;
};

}  // namespace hearth::wire::ws
