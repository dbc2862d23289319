// One room's runner: the only place a room's state is touched, on its strand.
#include "net/room_runner.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <limits>
#include <random>

#include "net/room_directory.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {
namespace asio = boost::asio;
namespace {

// An export is one reply: keep it within the budget a replay gets, so it can
// never overflow its reader's outbound queue and close the connection. A
// snapshot's recent chat gets a quarter of the queue (the snapshot carries
// the members, floor and worksheets too): beyond it, every newcomer to a room
// that had long chats would be closed on joining.
core::room_limits room_limits_of(const settings& config) {
  core::room_limits limits = config.room;
  limits.max_export_bytes = static_cast<std::uint32_t>(std::min<std::size_t>(
      config.max_outbound_queue_bytes / 2, std::numeric_limits<std::uint32_t>::max()));
  limits.recent_chat_bytes = static_cast<std::uint32_t>(
      std::min<std::size_t>(config.room.recent_chat_bytes, config.max_outbound_queue_bytes / 4));
  return limits;
}

}  // namespace

room_runner::room_runner(std::string room_id, std::string epoch, strand_type strand,
                         const settings& config, const server_clock& clock,
                         room_directory& directory, store::store_writer& records,
                         bool session_ended)
    : room_id_(room_id),
      epoch_(std::move(epoch)),
      strand_(std::move(strand)),
      config_(config),
      clock_(clock),
      directory_(directory),
      records_(records),
      room_(std::move(room_id), room_limits_of(config)),
      history_(config.history_events, config.history_bytes),
      timer_(strand_) {
  if (session_ended) {
    room_.mark_ended();
  }
  refresh_templates();
}

void room_runner::refresh_templates() {
  if (config_.worksheet_templates) {
    room_.use_templates(config_.worksheet_templates->snapshot());
  }
}

void room_runner::join(std::shared_ptr<connection> conn, core::identity who, v1::JoinRoom request,
                       std::uint32_t request_id) {
  if (runs_inline()) {
    // As a command does: the join's answer, snapshot and presence go out with
    // the rest of the turn that read it (a Hello's answer, in one write).
    pending_joins.fetch_sub(1);
    do_join(conn, who, request, request_id);
    return;
  }
  post_to_room([self = shared_from_this(), conn = std::move(conn), who = std::move(who),
                request = std::move(request), request_id] {
    self->pending_joins.fetch_sub(1);
    self->when_loaded([self, conn, who, request, request_id](bool loaded) {
      if (loaded) {
        self->do_join(conn, who, request, request_id);
        return;
      }
      self->send_reply(
          conn,
          core::error_reply(v1::ERROR_CODE_INTERNAL, "session records unavailable; retry", true),
          request_id);
    });
  });
}

void room_runner::command(std::shared_ptr<connection> conn, v1::ClientMessage message) {
  // The core is deterministic; the entropy for a shuffled round comes from here.
  if (message.has_floor() && message.floor().has_start_round()) {
    auto& start = *message.mutable_floor()->mutable_start_round();
    if (start.order() == v1::ROUND_ORDER_SHUFFLED && start.shuffle_seed() == 0) {
      std::random_device entropy;
      start.set_shuffle_seed((static_cast<std::uint64_t>(entropy()) << 32U) | entropy());
    }
  }
  if (runs_inline()) {
    do_command(conn, message, true);
    return;
  }
  auto work = [self = shared_from_this(), conn = std::move(conn),
               message = std::move(message)]() mutable {
    if (self->plan_ == plan_state::loaded && self->queued_.empty()) {
      self->do_command(conn, message, true);  // the usual case, without a queued closure
      return;
    }
    // After the join it follows, even while that join waits for the plan.
    self->when_loaded([self, conn, message = std::move(message)](bool loaded) {
      self->do_command(conn, message, loaded);
    });
  };
  if (config_.threads <= 1) {
    // One thread: the room's strand is idle unless work waits on it, in which
    // case dispatch queues behind that work as post would. Run inline, the
    // command skips a trip through the scheduler's queue, and with it a poll
    // of the reactor (an epoll_wait) per message.
    asio::dispatch(strand_, std::move(work));
  } else {
    post_to_room(std::move(work));
  }
}

bool room_runner::runs_inline() const {
  // One thread, nothing posted to the room: its strand has nothing to order,
  // so work runs where it arrived, without the strand's queue and locks and a
  // copy into an operation. The first test keeps every other read of room
  // state off other threads.
  return config_.threads <= 1 && posted_.load(std::memory_order_relaxed) == 0 &&
         plan_ == plan_state::loaded && queued_.empty() &&
         strand_.get_inner_executor().running_in_this_thread();
}

void room_runner::do_command(const std::shared_ptr<connection>& conn,
                             const v1::ClientMessage& message, bool loaded) {
  if (retired_ || !loaded) {
    send_reply(conn, core::error_reply(v1::ERROR_CODE_NOT_JOINED, "join the room first"),
               message.request_id());
    return;
  }
  if (message.has_worksheet()) {
    refresh_templates();  // another room or the admin API may have changed one
  }
  auto fx = room_.handle(conn->id(), message, clock_.now());
  const bool leaving = message.has_leave_room() && fx.reply && fx.reply->has_leave();
  apply(fx, conn, message.request_id());
  if (leaving) {
    // The session keeps pointing here, so a later JoinRoom comes back to this
    // room; only retirement releases it (see do_join).
    joined_.erase(conn->id());
    waiting_.erase(conn->id());
    in_breakout_.erase(conn->id());
  }
  retire_if_empty();
}

void room_runner::disconnect(std::shared_ptr<connection> conn) {
  post_to_room([self = shared_from_this(), conn = std::move(conn)] {
    self->when_loaded([self, conn](bool /*loaded*/) { self->do_disconnect(conn); });
  });
}

void room_runner::do_disconnect(const std::shared_ptr<connection>& conn) {
  const bool known = joined_.erase(conn->id()) + waiting_.erase(conn->id()) != 0;
  in_breakout_.erase(conn->id());
  if (!known || retired_) {
    return;
  }
  auto fx = room_.disconnect(conn->id(), clock_.now());
  apply(fx, nullptr, 0);
}

void room_runner::describe(std::function<void(admin::live_summary)> done) {
  post_to_room([self = shared_from_this(), done = std::move(done)] {
    admin::live_summary out;
    for (const core::member* m : self->room_.people().active_members()) {
      out.members.push_back({m->id, m->who.subject, core::role_label(m->who.role),
                             m->presence == v1::PRESENCE_PRESENT ? "present" : "reconnecting"});
    }
    for (const core::waiting_person* w : self->room_.waiting().people()) {
      out.waiting.push_back(
          {w->who.subject, core::role_label(w->who.role), w->since, w->connection.has_value()});
    }
    const auto floor = self->room_.floor_state(self->clock_.now());
    std::string mode = v1::FloorMode_Name(floor.mode()).substr(std::string("FLOOR_MODE_").size());
    for (char& c : mode) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    out.floor_mode = mode;
    out.floor_holder = floor.has_turn() ? floor.turn().member_id() : 0;
    out.hands_raised = static_cast<std::size_t>(floor.hands_size());
    out.round_running = floor.has_round();
    done(std::move(out));
  });
}

void room_runner::do_join(const std::shared_ptr<connection>& conn, const core::identity& who,
                          const v1::JoinRoom& request, std::uint32_t request_id) {
  if (retired_) {
    send_reply(conn, core::error_reply(v1::ERROR_CODE_INTERNAL, "room is restarting; retry", true),
               request_id);
    conn->released_by(shared_from_this());
    return;
  }
  auto fx = room_.join(conn->id(), who, clock_.now());
  auto reply = std::move(fx.reply);
  fx.reply.reset();
  const bool fresh_start = fx.fresh_start;
  // The join's own events reach the members already here; the newcomer gets
  // the state including them through its snapshot or replay.
  apply(fx, nullptr, 0);
  if (!reply || !reply->has_join()) {
    if (reply) {
      send_reply(conn, std::move(*reply), request_id);
    }
    retire_if_empty();
    return;
  }

  auto* result = reply->mutable_join();
  if (result->has_lobby()) {
    send_reply(conn, std::move(*reply), request_id);
    waiting_[conn->id()] = conn;
    return;
  }
  result->set_epoch(epoch_);
  const std::uint32_t place = result->breakout_id();
  // A resume counts in the room the client was in; after a move it gets a snapshot.
  const bool recovered = !fresh_start && request.has_resume() &&
                         request.resume().breakout_id() == place &&
                         can_replay(result->member_id(), request.resume());
  result->set_recovered(recovered);
  if (!recovered) {
    *result->mutable_snapshot() = room_.snapshot(result->member_id(), clock_.now());
  }
  const auto member = result->member_id();
  send_reply(conn, std::move(*reply), request_id);
  if (recovered) {
    replay(conn, member, request.resume());
  }
  joined_.put(conn->id(), conn);
  set_place(conn->id(), place);
}

bool room_runner::can_replay(std::uint32_t member, const v1::ResumePosition& from) const {
  const core::history_ring* history = history_of(from.breakout_id());
  if (from.epoch() != epoch_ || history == nullptr ||
      !history->covers(from.last_seq(), room_.head_seq(from.breakout_id()))) {
    return false;
  }
  // A replay that would overflow the client's outbound queue would only end in
  // a slow-consumer close and the same resume again: send a snapshot instead.
  const std::size_t budget = config_.max_outbound_queue_bytes / 2;
  std::size_t bytes = history->bytes_after(from.last_seq());
  const auto direct_head = room_.direct_head(member);
  if (from.last_direct_seq() != direct_head) {
    auto it = direct_history_.find(member);
    if (it == direct_history_.end() || !it->second.covers(from.last_direct_seq(), direct_head)) {
      return false;
    }
    bytes += it->second.bytes_after(from.last_direct_seq());
  }
  return bytes <= budget;
}

void room_runner::replay(const std::shared_ptr<connection>& conn, std::uint32_t member,
                         const v1::ResumePosition& from) {
  for (auto& bytes : history_of(from.breakout_id())->after(from.last_seq())) {
    conn->deliver(std::move(bytes));
  }
  auto it = direct_history_.find(member);
  if (it != direct_history_.end()) {
    for (auto& bytes : it->second.after(from.last_direct_seq())) {
      conn->deliver(std::move(bytes));
    }
  }
}

void room_runner::apply(core::effects& fx, const std::shared_ptr<connection>& caller,
                        std::uint32_t request_id) {
  auto to_lobby = fx.to_lobby.begin();
  auto moving = fx.moves.cbegin();
  // One event and no one leaving for the lobby: nothing else reaches the
  // recipients from this command (but the caller's reply, and the notices and
  // replies below, which queue behind a write made now).
  const bool alone = fx.events.size() == 1 && fx.to_lobby.empty();
  for (std::size_t i = 0; i < fx.events.size(); ++i) {
    // A member stepped out stops receiving the room's events from here on.
    for (; to_lobby != fx.to_lobby.end() && to_lobby->after_events <= i; ++to_lobby) {
      if (auto conn = take(to_lobby->connection)) {
        waiting_[conn->id()] = std::move(conn);
      }
    }
    start_moves(fx, i, moving);
    fan_out(fx.events[i], alone, caller ? caller->id() : 0);
  }
  for (; to_lobby != fx.to_lobby.end(); ++to_lobby) {
    if (auto conn = take(to_lobby->connection)) {
      waiting_[conn->id()] = std::move(conn);
    }
  }
  for (auto& notice : fx.lobby_notices) {
    auto it = waiting_.find(notice.connection);
    if (it != waiting_.end()) {
      v1::ServerMessage message;
      *message.mutable_lobby() = std::move(notice.status);
      it->second->deliver(wire::encode(message));
    }
  }
  for (const auto& admission : fx.admitted) {
    admit(admission);
  }
  // Before the reply: a facilitator entering a breakout sees it first.
  finish_moves(fx);
  close_places(fx);
  for (const auto& change : fx.attendance) {
    record(change);
  }
  for (const auto& note : fx.audit) {
    record(note);
  }
  for (const auto& change : fx.kept_chat) {
    record(change);
  }
  for (const auto& change : fx.consents) {
    record(change);
  }
  if (!fx.bans.empty()) {
    record_bans(fx, caller, fx.reply, request_id);
  }
  record_worksheets(fx);
  record_templates(fx);
  // The reply before the closes: a facilitator who ends the session gets it
  // ahead of their own Disconnect.
  if (fx.reply && caller) {
    send_reply(caller, std::move(*fx.reply), request_id);
  }
  send_replies(fx);
  if (fx.attendance_asked && caller) {
    answer_attendance(caller, request_id);
  }
  if (fx.pdf && caller) {
    start_pdf_export(caller, request_id, std::move(*fx.pdf));
  }
  // Removal, the end of the session, a replaced connection: Disconnect comes
  // after the events that explain it.
  for (auto& close : fx.closes) {
    if (auto victim = take(close.connection)) {
      victim->close(close.code, std::move(close.reason));
    }
  }
  rearm_timer();
}

void room_runner::send_reply(const std::shared_ptr<connection>& conn, v1::Reply reply,
                             std::uint32_t request_id) {
  if (reply.has_error()) {
    telemetry::global_metrics().count_error(reply.error().code());
  }
  if (request_id == 0) {
    return;  // the client asked for no reply
  }
  reply.set_request_id(request_id);
  conn->deliver(wire::encode_reply(reply));
}

void room_runner::rearm_timer() {
  const auto wake = room_.next_wake();
  if (wake == armed_for_) {
    return;
  }
  armed_for_ = wake;
  if (!wake) {
    timer_.cancel();
    return;
  }
  const auto delay = std::chrono::milliseconds(std::max<core::time_ms>(0, *wake - clock_.now()));
  timer_.expires_after(delay);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) {
      self->on_timer();
    }
  });
}

void room_runner::on_timer() {
  armed_for_.reset();
  if (retired_) {
    return;
  }
  auto fx = room_.wake(clock_.now());
  apply(fx, nullptr, 0);
  retire_if_empty();
}

void room_runner::retire_if_empty() {
  if (!retired_ && joined_.empty() && waiting_.empty() && queued_.empty() && room_.empty() &&
      directory_.retire(*this, room_.ended())) {
    retired_ = true;
    timer_.cancel();
  }
}

}  // namespace hearth::net
