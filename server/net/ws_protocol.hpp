// The WebSocket side of a session that does not touch its socket: messages
// parsed out of the input (wire/ws_reader), pongs waiting for the next write,
// the closing handshake whichever side starts it, and what its deadlines
// mean. ws_session adds the socket: reads, writes and the timer's wake-up.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/session_core.hpp"
#include "net/ws_write.hpp"
#include "wire/ws_reader.hpp"

namespace hearth::net {

class ws_protocol : public session_core, private wire::ws::reader_sink {
 public:
  explicit ws_protocol(session_context& context);

 protected:
  // Transport hook: shuts the socket down now; once only.
  virtual void hard_close() = 0;

  // Parses input; complete messages go to the session as they are found.
  void feed(char* data, std::size_t size) { reader_.feed(data, size, *this); }
  // After feed: input remains that feed(nullptr, 0) goes on with.
  bool input_yielded() const { return reader_.yielded(); }
  void stop_reading() { reader_.stop(); }

  // Whether the next write is queued messages only: no control frame waits
  // and no close is under way.
  bool only_messages_to_write() const { return !control_ && !close_started_ && !peer_closed_; }
  // Lays out the next write: control frames, then the queued messages; once
  // a close has begun and nothing else is left, the close frame.
  void lay_out_write(ws_write& w);
  // After a complete write: true if the write loop should go on.
  bool written();

  void start_close(std::uint32_t code) override;

  // Reschedules on the deadline wheel; on_timer() handles the wake-up on the
  // strand: a close handshake or a write that took too long closes the
  // socket, the rest is the session's (heartbeats, the hello's deadline).
  void deadlines_changed() override;
  void on_timer();

  bool writing_ = false;
  bool batched_ = false;     // a send of ours waits in the thread's send_batch
  bool close_sent_ = false;  // our close frame is written or being written
  bool torn_down_ = false;

 private:
  // wire::ws::reader_sink
  void on_message(wire::ws::opcode op, std::string_view payload) override;
  void on_ping(std::string_view payload) override;
  void on_close_frame(std::string_view payload) override;
  void on_failure(std::uint16_t code, std::string_view reason) override;

  wire::ws::message_reader reader_;
  std::unique_ptr<std::string> control_;  // pong frames waiting for the next write, if any
  bool peer_closed_ = false;              // the client's close frame arrived first
  bool fail_fast_ = false;                // the input was unparsable: close without waiting
  std::uint16_t close_code_ = 1000;
  std::uint16_t echo_code_ = 1000;
};

}  // namespace hearth::net
