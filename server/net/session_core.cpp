// Protocol handling of one connection (no socket code here).
#include "net/session_core.hpp"

#include <algorithm>
#include <mutex>

#include "auth/token.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {
namespace {

using telemetry::level;

v1::Role to_wire_role(auth::role r) {
  switch (r) {
    case auth::role::facilitator:
      return v1::ROLE_FACILITATOR;
    case auth::role::co_facilitator:
      return v1::ROLE_CO_FACILITATOR;
    case auth::role::participant:
      return v1::ROLE_PARTICIPANT;
    case auth::role::family_member:
      return v1::ROLE_FAMILY_MEMBER;
    case auth::role::observer:
      return v1::ROLE_OBSERVER;
  }
  return v1::ROLE_UNSPECIFIED;
}

constexpr std::size_t max_room_id_bytes = 128;
constexpr std::size_t max_close_reason_bytes = 123;  // RFC 6455 control frame limit
}  // namespace

session_core::session_core(session_context& context)
    : context_(context),
      id_(context.next_connection_id.fetch_add(1)),
      auth_deadline_(steady::now() + context.config.hello_timeout),
      rate_tokens_(context.config.rate_burst),
      rate_refilled_(steady::now()) {}

session_core::~session_core() { context_.wheel.cancel(*this); }

std::shared_ptr<wheel_client> session_core::wheel_owner() {
  return std::static_pointer_cast<session_core>(weak_from_this().lock());
}

std::shared_ptr<session_core> session_core::self() {
  return std::static_pointer_cast<session_core>(shared_from_this());
}

void session_core::close(v1::CloseCode code, std::string reason) {
  run_on_strand(
      [self = self(), code, reason = std::move(reason)] { self->begin_close(code, reason); });
}

void session_core::released_by(const std::shared_ptr<room_runner>& runner) {
  run_on_strand([self = self(), runner] {
    if (self->room_ == runner) {
      self->room_.reset();
    }
  });
}

void session_core::on_frame(std::string_view frame) {
  auto& m = telemetry::global_metrics();
  m.bytes_in.fetch_add(frame.size(), std::memory_order_relaxed);
  if (close_started_) {
    return;
  }
  // Decoded into a per-thread vector, moved out while in use, so an idle
  // session keeps no decoded messages' room.
  thread_local std::vector<v1::ClientMessage> scratch;
  std::vector<v1::ClientMessage> decoded = std::move(scratch);
  const auto status =
      wire::decode_client_frame(frame, context_.config.max_messages_per_frame, decoded);
  if (status != wire::decode_status::ok) {
    telemetry::log(level::info, "bad_frame",
                   {{"conn", id_}, {"reason", wire::decode_status_name(status)}});
    begin_close(v1::CLOSE_CODE_BAD_REQUEST, "undecodable frame");
    return;
  }
  m.messages_in.fetch_add(decoded.size(), std::memory_order_relaxed);
  for (auto& message : decoded) {
    if (close_started_) {
      break;
    }
    if (admit_by_rate(message)) {
      handle(message);
    }
  }
  decoded.clear();
  scratch = std::move(decoded);
}

bool session_core::admit_by_rate(const v1::ClientMessage& message) {
  if (message.has_pong()) {
    return true;  // liveness is never throttled
  }
  const auto now = steady::now();
  const std::chrono::duration<double> elapsed = now - rate_refilled_;
  rate_refilled_ = now;
  rate_tokens_ = std::min(context_.config.rate_burst,
                          rate_tokens_ + elapsed.count() * context_.config.rate_per_second);
  if (rate_tokens_ >= 1.0) {
    rate_tokens_ -= 1.0;
    rate_strikes_ = 0;  // strikes count consecutive throttled messages
    return true;
  }
  reply_error(message.request_id(), v1::ERROR_CODE_TOO_MANY_REQUESTS, "rate limit exceeded",
              /*temporary=*/true);
  if (++rate_strikes_ >= context_.config.rate_strikes) {
    begin_close(v1::CLOSE_CODE_RATE_LIMITED, "too many messages");
  }
  return false;
}

void session_core::handle(v1::ClientMessage& message) {
  if (!identity_) {
    if (!message.has_hello()) {
      begin_close(v1::CLOSE_CODE_BAD_REQUEST, "hello must come first");
      return;
    }
    handle_hello(message);
    return;
  }
  switch (message.command_case()) {
    case v1::ClientMessage::kHello:
      reply_error(message.request_id(), v1::ERROR_CODE_ALREADY_AUTHENTICATED,
                  "already authenticated");
      return;
    case v1::ClientMessage::kJoinRoom:
      handle_join(message);
      return;
    case v1::ClientMessage::kPong:
      if (pong_deadline_ && message.pong().nonce() == ping_nonce_) {
        pong_deadline_.reset();
        deadlines_changed();
      }
      return;
    case v1::ClientMessage::kSendChat:
    case v1::ClientMessage::kTyping:
    case v1::ClientMessage::kLeaveRoom:
    case v1::ClientMessage::kFloor:
    case v1::ClientMessage::kSignalDistress:
    case v1::ClientMessage::kAcknowledgeDistress:
    case v1::ClientMessage::kModeration:
    case v1::ClientMessage::kLobby:
    case v1::ClientMessage::kPoll:
    case v1::ClientMessage::kBreakout:
    case v1::ClientMessage::kWorksheet:
    case v1::ClientMessage::kAttendance:
      if (!room_) {
        reply_error(message.request_id(), v1::ERROR_CODE_NOT_JOINED, "join the room first");
        return;
      }
      room_->command(self(), std::move(message));
      return;
    case v1::ClientMessage::COMMAND_NOT_SET:
      break;
  }
  reply_error(message.request_id(), v1::ERROR_CODE_UNKNOWN_COMMAND, "unknown command");
}

void session_core::handle_hello(const v1::ClientMessage& message) {
  const auto& config = context_.config;
  auth::verify_options options;
  options.issuer = config.token_issuer;
  options.audience = config.token_audience;
  options.now = server_clock::wall_seconds();
  options.leeway = config.token_leeway_seconds;
  options.max_bytes = config.max_token_bytes;
  const auto result = auth::verify_token(message.hello().token(), context_.key, options);
  if (!result.ok()) {
    const bool expired = result.error == auth::token_error::expired;
    const auto reason = auth::token_error_name(result.error);
    telemetry::log(level::warn, "auth_failed", {{"conn", id_}, {"reason", reason}});
    // The claims of a token that failed are unverified: only the reason is kept.
    if (!context_.records.submit(store::audit_entry{context_.clock.now(), "", "unauthenticated",
                                                    "auth_failed", "", "", "denied",
                                                    std::string(reason)})) {
      telemetry::global_metrics().store_refused.fetch_add(1);
    }
    // Always answered, even without a request id: the client must learn why.
    reply_error(std::max<std::uint32_t>(message.request_id(), 1),
                expired ? v1::ERROR_CODE_TOKEN_EXPIRED : v1::ERROR_CODE_UNAUTHENTICATED,
                std::string(reason));
    begin_close(expired ? v1::CLOSE_CODE_TOKEN_EXPIRED : v1::CLOSE_CODE_AUTH_FAILED,
                expired ? "token expired" : "invalid token");
    return;
  }
  const auto& c = result.value;
  identity_ =
      packed_identity(core::identity{c.subject, c.display_name, c.room, to_wire_role(c.role)});
  const auto now = steady::now();
  const auto remaining = std::chrono::seconds(
      std::max<std::int64_t>(0, c.expires_at + config.token_leeway_seconds - options.now));
  auth_deadline_ = now + remaining;
  // Spread first pings over [0.5, 1) of the interval so reconnect storms do not
  // turn into ping storms.
  const auto spread = 0.5 + static_cast<double>((id_ * 2654435761U) % 1000U) / 2000.0;
  next_ping_ = now + std::chrono::duration_cast<steady::duration>(config.ping_interval * spread);

  v1::Reply out;
  auto* hello = out.mutable_hello();
  hello->set_server_version(HEARTH_VERSION);
  hello->set_room_id(c.room);
  hello->set_role(identity_.role());
  hello->set_token_expires_at_ms(static_cast<std::uint64_t>(c.expires_at) * 1000U);
  hello->set_ping_interval_ms(static_cast<std::uint32_t>(config.ping_interval.count()));
  hello->set_pong_timeout_ms(static_cast<std::uint32_t>(config.pong_timeout.count()));
  hello->set_max_message_bytes(static_cast<std::uint32_t>(config.max_message_bytes));
  reply(message.request_id(), std::move(out));
  telemetry::log(level::info, "authenticated", {{"conn", id_}, {"role", auth::role_name(c.role)}});
  deadlines_changed();
}

void session_core::handle_join(v1::ClientMessage& message) {
  auto& request = *message.mutable_join_room();
  if (request.room_id().empty()) {
    request.set_room_id(std::string(identity_.room()));
  }
  if (request.room_id().size() > max_room_id_bytes) {
    reply_error(message.request_id(), v1::ERROR_CODE_BAD_REQUEST, "room id too long");
    return;
  }
  // The core refuses a foreign room too; refusing here first keeps arbitrary
  // room ids from ever creating a runner.
  if (request.room_id() != identity_.room()) {
    reply_error(message.request_id(), v1::ERROR_CODE_PERMISSION_DENIED,
                "token is not valid for this room");
    return;
  }
  if (room_) {
    room_->pending_joins.fetch_add(1);
  } else {
    room_ = context_.rooms.acquire_for_join(request.room_id());
  }
  room_->join(self(), identity_.unpack(), std::move(request), message.request_id());
}

void session_core::reply(std::uint32_t request_id, v1::Reply out) {
  if (request_id == 0) {
    return;
  }
  out.set_request_id(request_id);
  v1::ServerMessage message;
  *message.mutable_reply() = std::move(out);
  deliver(wire::encode(message));
}

void session_core::reply_error(std::uint32_t request_id, v1::ErrorCode code, std::string message,
                               bool temporary) {
  telemetry::global_metrics().count_error(code);
  reply(request_id, core::error_reply(code, std::move(message), temporary));
}

void session_core::begin_close(v1::CloseCode code, std::string_view reason) {
  begin_close_raw(static_cast<std::uint32_t>(code), reason, code < 4500);
}

void session_core::begin_close_raw(std::uint32_t code, std::string_view reason, bool reconnect,
                                   bool announce) {
  if (close_started_ || finished_) {
    return;
  }
  close_started_ = true;
  telemetry::global_metrics().count_close(code);
  close_reason_ = std::make_unique<const std::string>(reason.substr(0, max_close_reason_bytes));
  v1::ServerMessage message;
  auto* disconnect = message.mutable_disconnect();
  disconnect->set_code(code);
  disconnect->set_reason(*close_reason_);
  disconnect->set_reconnect(reconnect);
  {
    // What is already queued (e.g. the error that explains this close) goes
    // first, then the Disconnect; a slow consumer's backlog is dropped.
    std::lock_guard lock(queue_lock_);
    queue_closed_ = true;
    if (code == v1::CLOSE_CODE_SLOW_CONSUMER || !announce) {
      queue_.clear();
      queued_bytes_ = 0;
    }
    if (announce) {
      auto bytes = wire::encode(message);
      queued_bytes_ += bytes.size();
      queue_.push_back(std::move(bytes));
    }
    flush_scheduled_ = true;
  }
  close_deadline_ = steady::now() + context_.config.write_timeout;
  if (room_) {
    room_->disconnect(self());
    room_.reset();
  }
  telemetry::log(level::info, "closing", {{"conn", id_}, {"code", std::uint64_t{code}}});
  start_close(code);
  deadlines_changed();
}

std::optional<session_core::steady::time_point> session_core::next_deadline() const {
  std::optional<steady::time_point> earliest;
  auto consider = [&](steady::time_point t) {
    if (!earliest || t < *earliest) {
      earliest = t;
    }
  };
  auto consider_maybe = [&](const maybe_time& t) {
    if (t) {
      consider(*t);
    }
  };
  consider_maybe(close_deadline_);
  if (write_started_) {
    consider(*write_started_ + context_.config.write_timeout);
  }
  if (!close_started_) {
    consider(auth_deadline_);
    consider_maybe(pong_deadline_);
    consider_maybe(next_ping_);
  }
  return earliest;
}

void session_core::on_deadline(steady::time_point now) {
  if (close_started_) {
    return;
  }
  if (!identity_ && now >= auth_deadline_) {
    begin_close(v1::CLOSE_CODE_HELLO_TIMEOUT, "no hello before the deadline");
  } else if (pong_deadline_ && now >= *pong_deadline_) {
    begin_close(v1::CLOSE_CODE_PING_TIMEOUT, "no pong before the deadline");
  } else if (identity_ && now >= auth_deadline_) {
    begin_close(v1::CLOSE_CODE_TOKEN_EXPIRED, "token expired");
  } else if (next_ping_ && now >= *next_ping_) {
    v1::ServerMessage ping;
    ping.mutable_ping()->set_nonce(++ping_nonce_);
    ping.mutable_ping()->set_server_time_ms(static_cast<std::uint64_t>(context_.clock.now()));
    deliver(wire::encode(ping));
    if (!pong_deadline_) {
      pong_deadline_ = now + context_.config.pong_timeout;
    }
    next_ping_ = now + context_.config.ping_interval;
  }
}

void session_core::on_finished() {
  if (finished_) {
    return;
  }
  finished_ = true;
  {
    std::lock_guard lock(queue_lock_);
    queue_closed_ = true;
    queue_.clear();
    queued_bytes_ = 0;
  }
  if (room_) {
    room_->disconnect(self());
    room_.reset();
  }
  context_.registry.remove(id_);
  telemetry::global_metrics().connections_open.fetch_sub(1, std::memory_order_relaxed);
  telemetry::log(level::debug, "connection_finished", {{"conn", id_}});
}

}  // namespace hearth::net
