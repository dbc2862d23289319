// One simulated room member: a WebSocket connection plus the protocol the
// contestant speaks on it (Hearth v1, a raw relay, or socket.io over
// Engine.IO v4). It reports readiness and each relayed payload to the driver.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coedit.hpp"

#include "hearth/v1/envelope.pb.h"
#include "options.hpp"
#include "ws_conn.hpp"

namespace hearth::bench {

class member;

class member_events {
 public:
  virtual void on_ready(member& m) = 0;
  virtual void on_payload(member& m, std::string_view payload) = 0;
  virtual void on_problem(member& m, std::string_view what) = 0;
  // W8: the member's replica of its room's sheet is open.
  virtual void on_sheet(member& m) = 0;
  // W8: the server made these edits durable (their scheduled times).
  virtual void on_acked(member& m, const std::vector<std::uint64_t>& scheduled) = 0;

 protected:
  ~member_events() = default;
};

enum class member_kind : std::uint8_t {
  steady,  // sends and receives for the whole run
  slow,    // joins, then never reads again
  churn,   // joins, stays briefly, leaves
};

class member final : public ws_sink {
 public:
  member(const options& opts, SSL_CTX* tls, std::uint32_t index, std::uint32_t room,
         member_kind kind, std::string token, member_events& events);

  std::uint32_t index() const { return index_; }
  std::uint32_t room() const { return room_; }
  member_kind kind() const { return kind_; }
  bool ready() const { return ready_; }
  ws_conn& conn() { return conn_; }
  std::uint64_t ready_at_ns = 0;

  void send_payload(std::string_view payload);
  // W8: the room's lead pushes the session sheet; every member edits it.
  void push_sheet();
  bool has_sheet() const { return sheet_.has_value(); }
  bool edit_sheet(std::string_view stamp, std::uint64_t scheduled_ns);

  void on_open(ws_conn& conn) override;
  void on_message(ws_conn& conn, opcode op, std::string_view payload) override;

 private:
  void become_ready();
  void on_hearth_frame(std::string_view frame);
  void on_hearth_message(const v1::ServerMessage& message);
  void on_socketio_text(std::string_view text);
  // One frame of the given records, in order.
  void send_hearth(std::initializer_list<const v1::ClientMessage*> records);
  void on_worksheet_event(const v1::Event& event);
  void send_next_batch();

  mode mode_;
  std::uint32_t index_;
  std::uint32_t room_;
  member_kind kind_;
  std::string token_;
  member_events& events_;
  ws_conn conn_;
  bool ready_ = false;
  std::uint32_t next_request_ = 3;  // 1 and 2 are Hello and JoinRoom
  std::uint32_t member_id_ = 0;     // from the join
  std::optional<coedit> sheet_;
  std::vector<std::string> stamps_;  // scratch: stamps in one commit
};

std::string room_name(std::uint32_t room);

}  // namespace hearth::bench
