#include "wire/ws_reader.hpp"

namespace hearth::wire::ws {

// The buffers may hold the payload a sink is looking at, so they are released
// only once control is back in feed().
void message_reader::stop() {
  stopped_ = true;
  yielded_ = false;
}

void message_reader::release() { held_.reset(); }

message_reader::held_input& message_reader::held() {
  if (!held_) {
    held_ = std::make_unique<held_input>();
  }
  return *held_;
}

// Only from feed(): a sink may be looking at the held bytes until then.
void message_reader::drop_held_if_empty() {
  if (held_ && held_->partial.empty() && !in_message_) {
    held_.reset();
  }
}

void message_reader::fail(std::uint16_t code, std::string_view reason, reader_sink& sink) {
  stop();
  sink.on_failure(code, reason);
}

void message_reader::feed(char* data, std::size_t size, reader_sink& sink) {
  yielded_ = false;
  if (stopped_) {
    release();
    return;
  }
  const std::size_t kept = held_ ? held_->partial.size() - held_->partial_pos : 0;
  if (size == 0 && kept == 0) {
    return;
  }
  if (kept == 0) {
    const std::size_t used = parse(data, size, sink);
    if (stopped_) {
      release();
      return;
    }
    if (used < size) {
      held().partial.assign(data + used, size - used);
    } else if (held_) {
      held_->partial.clear();
    }
    if (held_) {
      held_->partial_pos = 0;
    }
    drop_held_if_empty();
    return;
  }
  auto& in = *held_;
  if (size > 0) {
    in.partial.erase(0, in.partial_pos);  // compact only when new bytes arrive
    in.partial_pos = 0;
    in.partial.append(data, size);
  }
  // Resuming after a yield advances a position instead of erasing, so a read
  // full of tiny messages costs linear time.
  const std::size_t used =
      parse(in.partial.data() + in.partial_pos, in.partial.size() - in.partial_pos, sink);
  if (stopped_) {
    release();
    return;
  }
  in.partial_pos += used;
  if (in.partial_pos == in.partial.size()) {
    std::string().swap(in.partial);  // release the memory of a large frame
    in.partial_pos = 0;
  }
  drop_held_if_empty();
}

std::size_t message_reader::parse(char* data, std::size_t size, reader_sink& sink) {
  std::size_t pos = 0;
  while (!stopped_) {
    auto* bytes = reinterpret_cast<std::uint8_t*>(data + pos);
    frame_header header;
    const auto status = parse_client_header(bytes, size - pos, max_message_, header);
    if (status == parse_status::need_more) {
      break;
    }
    if (status == parse_status::protocol_error) {
      fail(1002, "malformed WebSocket frame", sink);
      break;
    }
    if (status == parse_status::too_big || (header.op == opcode::continuation && in_message_ &&
                                            assembled_bytes() + header.length > max_message_)) {
      fail(1009, "message too big", sink);  // known from the header alone
      break;
    }
    if (size - pos < header.header_bytes + header.length) {
      break;  // the payload is still arriving; its length is within the limit
    }
    auto* payload = bytes + header.header_bytes;
    const auto length = static_cast<std::size_t>(header.length);
    unmask(payload, length, header.mask);
    pos += header.header_bytes + length;
    const bool data_frame = header.op == opcode::text || header.op == opcode::binary ||
                            header.op == opcode::continuation;
    on_frame(header, std::string_view(reinterpret_cast<const char*>(payload), length), sink);
    if (data_frame && header.fin && pos < size && !stopped_) {
      yielded_ = true;
      break;
    }
  }
  return pos;
}

void message_reader::on_frame(const frame_header& header, std::string_view payload,
                              reader_sink& sink) {
  switch (header.op) {
    case opcode::ping:
      sink.on_ping(payload);
      return;
    case opcode::pong:
      return;
    case opcode::close:
      sink.on_close_frame(payload);
      return;
    case opcode::text:
    case opcode::binary:
      if (in_message_) {
        fail(1002, "a new message began inside a fragmented one", sink);
        return;
      }
      if (header.fin) {
        sink.on_message(header.op, payload);
      } else {
        in_message_ = true;
        message_op_ = header.op;
        held().message.assign(payload);
      }
      return;
    case opcode::continuation:
      if (!in_message_) {
        fail(1002, "a continuation frame without a message", sink);
        return;
      }
      if (assembled_bytes() + payload.size() > max_message_) {
        fail(1009, "message too big", sink);
        return;
      }
      held().message.append(payload);
      if (header.fin) {
        in_message_ = false;
        std::string whole;
        whole.swap(held_->message);
        sink.on_message(message_op_, whole);
      }
      return;
  }
}

}  // namespace hearth::wire::ws
