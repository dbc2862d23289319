#include "member.hpp"

#include <google/protobuf/io/coded_stream.h>

#include "chat_scan.hpp"

namespace hearth::bench {
namespace {

constexpr std::uint32_t hello_request = 1;
constexpr std::uint32_t join_request = 2;

std::string request_target(const options& opts, std::uint32_t room) {
  switch (opts.mode) {
    case mode::hearth:
      return "/v1/ws";
    case mode::raw:
      return "/r/" + room_name(room);
    case mode::socketio:
      return "/socket.io/?EIO=4&transport=websocket&room=" + room_name(room);
  }
  return "/";
}

// Connection `index`'s source address: spread over 127.0.0.1 upward when the
// server is on loopback, else the kernel's choice.
std::string source_address(const options& opts, std::uint32_t index) {
  if (opts.source_addresses <= 1 || !opts.host.starts_with("127.")) {
    return {};
  }
  return "127.0.0." + std::to_string(1 + index % opts.source_addresses);
}

}  // namespace

std::string room_name(std::uint32_t room) { return "b" + std::to_string(room); }

member::member(const options& opts, SSL_CTX* tls, std::uint32_t index, std::uint32_t room,
               member_kind kind, std::string token, member_events& events)
    : mode_(opts.mode),
      index_(index),
      room_(room),
      kind_(kind),
      token_(std::move(token)),
      events_(events),
      conn_(opts.host, opts.port, source_address(opts, index), request_target(opts, room),
            opts.mode == mode::hearth ? "hearth.v1" : "", tls, (index + 1) * 2654435761U) {}

void member::become_ready() {
  ready_ = true;
  events_.on_ready(*this);
}

void member::on_open(ws_conn& /*conn*/) {
  if (mode_ == mode::raw) {
    become_ready();
  } else if (mode_ == mode::hearth) {
    // Hello and JoinRoom in one frame, as the web client sends them: one round
    // trip from the upgrade to the room.
    v1::ClientMessage hello;
    hello.set_request_id(hello_request);
    hello.mutable_hello()->set_token(token_);
    hello.mutable_hello()->set_client_name("hearth-loadgen");
    hello.mutable_hello()->set_client_version(HEARTH_VERSION);
    v1::ClientMessage join;
    join.set_request_id(join_request);
    join.mutable_join_room()->set_room_id(room_name(room_));
    send_hearth({&hello, &join});
  }
  // socket.io: the server speaks first (the Engine.IO open packet).
}

void member::on_message(ws_conn& /*conn*/, opcode op, std::string_view payload) {
  switch (mode_) {
    case mode::raw:
      events_.on_payload(*this, payload);
      return;
    case mode::hearth:
      if (op != opcode::binary) {
        events_.on_problem(*this, "hearth sent a text frame");
        return;
      }
      on_hearth_frame(payload);
      return;
    case mode::socketio:
      on_socketio_text(payload);
      return;
  }
}

void member::send_payload(std::string_view payload) {
  switch (mode_) {
    case mode::raw:
      conn_.send(opcode::binary, payload);
      return;
    case mode::hearth: {
      static v1::ClientMessage chat;  // reused: the loop is single-threaded
      chat.set_request_id(next_request_++);
      auto* body = chat.mutable_send_chat();
      body->set_text(payload.data(), payload.size());
      body->set_scope(v1::CHAT_SCOPE_ROOM);
      send_hearth({&chat});
      return;
    }
    case mode::socketio: {
      static std::string packet;
      packet.assign("42[\"m\",\"");
      packet.append(payload);
      packet.append("\"]");
      conn_.send(opcode::text, packet);
      return;
    }
  }
}

void member::push_sheet() {
  v1::ClientMessage push;
  push.set_request_id(next_request_++);
  auto* body = push.mutable_worksheet()->mutable_push();
  body->set_template_id(std::string(coedit_template));
  body->set_scope(v1::WORKSHEET_SCOPE_SESSION);
  send_hearth({&push});
}

bool member::edit_sheet(std::string_view stamp, std::uint64_t scheduled_ns) {
  if (!sheet_ || !sheet_->edit(stamp, scheduled_ns)) {
    return false;
  }
  send_next_batch();
  return true;
}

void member::send_next_batch() {
  auto batch = sheet_->next_batch();
  if (!batch) {
    return;
  }
  static v1::ClientMessage submit;  // reused: the loop is single-threaded
  submit.set_request_id(next_request_++);
  *submit.mutable_worksheet()->mutable_submit() = std::move(*batch);
  send_hearth({&submit});
}

void member::on_worksheet_event(const v1::Event& event) {
  if (event.has_worksheet_opened()) {
    const auto& sheet = event.worksheet_opened().sheet();
    if (!sheet_ && sheet.form().id() == coedit_template) {
      sheet_ = coedit::open(index_, member_id_, sheet);
      if (!sheet_) {
        events_.on_problem(*this, "the pushed sheet did not open");
        return;
      }
      events_.on_sheet(*this);
    }
  } else if (event.has_worksheet_committed() && sheet_ &&
             event.worksheet_committed().commit().instance_id() == sheet_->instance_id()) {
    stamps_.clear();
    sheet_->committed(event.worksheet_committed().commit(), stamps_);
    for (const auto& stamp : stamps_) {
      events_.on_payload(*this, stamp);
    }
    send_next_batch();  // our own commit may have settled the batch in flight
  }
}

void member::send_hearth(std::initializer_list<const v1::ClientMessage*> records) {
  static std::string frame;
  frame.clear();
  for (const auto* message : records) {
    const auto size = message->ByteSizeLong();
    auto length = static_cast<std::uint32_t>(size);
    while (length >= 0x80U) {  // varint length prefix
      frame.push_back(static_cast<char>((length & 0x7fU) | 0x80U));
      length >>= 7U;
    }
    frame.push_back(static_cast<char>(length));
    const auto at = frame.size();
    frame.resize(at + size);
    message->SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(&frame[at]));
  }
  conn_.send(opcode::binary, frame);
}

void member::on_hearth_frame(std::string_view frame) {
  static v1::ServerMessage message;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(frame.data()),
                                            static_cast<int>(frame.size()));
  while (!in.ExpectAtEnd()) {
    std::uint32_t length = 0;
    if (!in.ReadVarint32(&length)) {
      events_.on_problem(*this, "bad length prefix from hearth");
      return;
    }
    const void* start = nullptr;
    int available = 0;
    if (in.GetDirectBufferPointer(&start, &available) && available >= static_cast<int>(length)) {
      const auto scanned =
          scan_server_message({static_cast<const char*>(start), static_cast<std::size_t>(length)});
      if (scanned.kind != scanned_kind::other) {
        if (scanned.kind == scanned_kind::room_chat) {
          events_.on_payload(*this, scanned.text);
        }
        in.Skip(static_cast<int>(length));
        continue;
      }
    }
    const auto limit = in.PushLimit(static_cast<int>(length));
    message.Clear();
    if (!message.MergePartialFromCodedStream(&in) || !in.ConsumedEntireMessage()) {
      events_.on_problem(*this, "undecodable message from hearth");
      return;
    }
    in.PopLimit(limit);
    on_hearth_message(message);
  }
}

void member::on_hearth_message(const v1::ServerMessage& message) {
  if (message.has_event()) {
    const auto& event = message.event();
    if (event.has_chat()) {
      events_.on_payload(*this, event.chat().text());
    } else if (event.has_worksheet_opened() || event.has_worksheet_committed()) {
      on_worksheet_event(event);
    }
    return;  // presence and typing are not measured
  }
  if (message.has_ping()) {
    v1::ClientMessage pong;
    pong.mutable_pong()->set_nonce(message.ping().nonce());
    send_hearth({&pong});
    return;
  }
  if (message.has_disconnect()) {
    events_.on_problem(*this,
                       "disconnected with code " + std::to_string(message.disconnect().code()));
    return;
  }
  const auto& reply = message.reply();
  if (reply.has_error()) {
    events_.on_problem(*this, "request " + std::to_string(reply.request_id()) +
                                  " failed with error " +
                                  std::to_string(static_cast<int>(reply.error().code())));
    return;
  }
  if (reply.request_id() == join_request) {
    member_id_ = reply.join().member_id();
    become_ready();
  } else if (reply.has_worksheet() && reply.worksheet().has_ack() && sheet_) {
    bool refused = false;
    const auto times = sheet_->answered(reply.worksheet().ack(), refused);
    if (refused) {
      events_.on_problem(*this,
                         "an edit was refused with worksheet error " +
                             std::to_string(static_cast<int>(reply.worksheet().ack().error())));
    }
    events_.on_acked(*this, times);
    send_next_batch();
  }
}

void member::on_socketio_text(std::string_view text) {
  if (text.rfind("42", 0) == 0) {
    constexpr std::string_view prefix = "42[\"m\",\"";
    if (text.size() > prefix.size() + 2 && text.rfind(prefix, 0) == 0 &&
        text.substr(text.size() - 2) == "\"]") {
      events_.on_payload(*this, text.substr(prefix.size(), text.size() - prefix.size() - 2));
    }
    return;
  }
  if (text == "2") {
    conn_.send(opcode::text, "3");  // Engine.IO ping from the server
  } else if (text.rfind("40", 0) == 0) {
    become_ready();
  } else if (text.rfind('0', 0) == 0) {
    conn_.send(opcode::text, "40");  // open packet: connect to the main namespace
  } else if (text.rfind("44", 0) == 0 || text.rfind("41", 0) == 0 || text == "1") {
    events_.on_problem(*this, "socket.io refused or closed the connection");
  }
}

}  // namespace hearth::bench
