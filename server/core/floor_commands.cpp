// Floor commands: authorization by role and state, then the change. A rejected
// command returns a typed error and leaves the floor exactly as it was.
#include <algorithm>

#include "core/floor_control.hpp"

namespace hearth::core {
namespace {

v1::Reply done() {
  v1::Reply reply;
  reply.mutable_floor();
  return reply;
}

v1::Reply staff_only() {
  return error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "only facilitators can do this");
}

v1::Reply round_running() {
  return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "a round is running; skip or end it");
}

// Someone the floor can go to: in the room, present, and allowed to speak.
v1::Reply check_speaker(const member* m) {
  if (m == nullptr || m->presence == v1::PRESENCE_LEFT) {
    return error_reply(v1::ERROR_CODE_NOT_FOUND, "no such member in the room");
  }
  if (!can_take_floor(*m)) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "observers do not take the floor");
  }
  if (m->floor_muted) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "that member is muted for the floor");
  }
  if (m->presence != v1::PRESENCE_PRESENT) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "that member is reconnecting");
  }
  return {};
}

}  // namespace

v1::Reply floor_control::handle(const member& actor, const v1::FloorCommand& command,
                                const roster& people, time_ms now, floor_output& out) {
  const bool staff = is_facilitator(actor.who.role);
  v1::Reply reply;
  switch (command.action_case()) {
    case v1::FloorCommand::kSetMode:
      reply = staff ? set_mode(actor, command.set_mode().mode(), people, now, out) : staff_only();
      break;
    case v1::FloorCommand::kSetSettings:
      reply = staff ? set_settings(actor, command.set_settings(), now, out) : staff_only();
      break;
    case v1::FloorCommand::kRaiseHand:
      reply = raise_hand(actor, people, now, out);
      break;
    case v1::FloorCommand::kLowerHand: {
      const member_id target = command.lower_hand().member_id();
      const bool own = target == 0 || target == actor.id;
      reply = own || staff ? lower_hand(actor, own ? actor.id : target, now, out) : staff_only();
      break;
    }
    case v1::FloorCommand::kMoveHand:
      reply = staff ? move_hand(actor, command.move_hand(), now, out) : staff_only();
      break;
    case v1::FloorCommand::kGrantFloor:
      reply =
          staff ? grant(actor, command.grant_floor().member_id(), people, now, out) : staff_only();
      break;
    case v1::FloorCommand::kTakeFloor:
      reply = take(actor, now, out);
      break;
    case v1::FloorCommand::kYieldFloor:
      reply = yield(actor, people, now, out);
      break;
    case v1::FloorCommand::kRevokeFloor:
      reply = staff ? revoke(actor, people, now, out) : staff_only();
      break;
    case v1::FloorCommand::kPassPiece:
      reply = pass_piece(actor, command.pass_piece().to_member_id(), people, now, out);
      break;
    case v1::FloorCommand::kStartRound:
      reply = staff ? start_round(actor, command.start_round(), people, now, out) : staff_only();
      break;
    case v1::FloorCommand::kPassTurn:
      if (!round_ || !holds(actor.id)) {
        reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "it is not your turn in a round");
        break;
      }
      finish_round_turn(v1::TURN_OUTCOME_PASSED, v1::FLOOR_CHANGE_TURN_PASSED, actor.id, people,
                        now, out);
      reply = done();
      break;
    case v1::FloorCommand::kSkipTurn:
      if (!staff) {
        reply = staff_only();
      } else if (!round_) {
        reply = error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "no round is running");
      } else {
        finish_round_turn(v1::TURN_OUTCOME_SKIPPED, v1::FLOOR_CHANGE_TURN_SKIPPED, actor.id, people,
                          now, out);
        reply = done();
      }
      break;
    case v1::FloorCommand::kExtendTurn:
      reply = staff ? extend(actor, command.extend_turn().extra_ms(), now, out) : staff_only();
      break;
    case v1::FloorCommand::kPause:
      reply = staff ? set_paused(actor, true, now, out) : staff_only();
      break;
    case v1::FloorCommand::kResume:
      reply = staff ? set_paused(actor, false, now, out) : staff_only();
      break;
    case v1::FloorCommand::kReorderRound:
      reply = staff ? reorder_round(actor, command.reorder_round(), now, out) : staff_only();
      break;
    case v1::FloorCommand::kEndRound:
      if (!staff) {
        reply = staff_only();
        break;
      }
      if (round_) {
        end_round(v1::ROUND_END_REASON_ENDED, actor.id, people, now, out);
      }
      reply = done();
      break;
    case v1::FloorCommand::kGetAirtime:
      reply = staff ? done() : staff_only();
      if (staff) {
        *reply.mutable_floor()->mutable_airtime() = airtime(people, now);
      }
      break;
    case v1::FloorCommand::ACTION_NOT_SET:
      reply = error_reply(v1::ERROR_CODE_BAD_REQUEST, "floor command without an action");
      break;
  }
  report_airtime_if_changed(people, now, out);
  return reply;
}

v1::Reply floor_control::set_mode(const member& actor, v1::FloorMode mode, const roster& people,
                                  time_ms now, floor_output& out) {
  if (mode == v1::FLOOR_MODE_ROUND) {
    return error_reply(v1::ERROR_CODE_BAD_REQUEST, "rounds begin with StartRound");
  }
  if (mode != v1::FLOOR_MODE_OPEN && mode != v1::FLOOR_MODE_MODERATED &&
      mode != v1::FLOOR_MODE_TALKING_PIECE) {
    return error_reply(v1::ERROR_CODE_BAD_REQUEST, "unknown floor mode");
  }
  if (round_) {
    end_round(v1::ROUND_END_REASON_MODE_CHANGED, actor.id, people, now, out);
  }
  if (mode == mode_) {
    return done();
  }
  mode_ = mode;
  changed(v1::FLOOR_CHANGE_MODE, actor.id, 0, now, out);
  grant_next_hand_if_open(people, now, out);
  return done();
}

v1::Reply floor_control::set_settings(const member& actor, const v1::FloorSettings& settings,
                                      time_ms now, floor_output& out) {
  auto invalid = validate_timing(settings.timing());
  if (invalid.has_error()) {
    return invalid;
  }
  settings_ = settings;
  changed(v1::FLOOR_CHANGE_SETTINGS, actor.id, 0, now, out);
  sync_pause(actor.id, now, out);
  return done();
}

v1::Reply floor_control::raise_hand(const member& actor, const roster& people, time_ms now,
                                    floor_output& out) {
  if (!can_take_floor(actor)) {
    return error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "observers do not raise hands");
  }
  if (actor.floor_muted) {
    return error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "you are muted for the floor");
  }
  if (holds(actor.id)) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "you have the floor");
  }
  const bool queued = std::any_of(hands_.begin(), hands_.end(), [&](const v1::HandEntry& hand) {
    return hand.member_id() == actor.id;
  });
  if (queued) {
    return done();  // a retry: the first arrival keeps its place
  }
  v1::HandEntry hand;
  hand.set_member_id(actor.id);
  hand.set_raised_at_ms(static_cast<std::uint64_t>(now));
  hands_.push_back(hand);
  changed(v1::FLOOR_CHANGE_HAND_RAISED, actor.id, actor.id, now, out);
  grant_next_hand_if_open(people, now, out);
  return done();
}

v1::Reply floor_control::lower_hand(const member& actor, member_id target, time_ms now,
                                    floor_output& out) {
  if (remove_hand(target)) {
    changed(v1::FLOOR_CHANGE_HAND_LOWERED, actor.id, target, now, out);
  }
  return done();
}

v1::Reply floor_control::move_hand(const member& actor, const v1::MoveHand& move, time_ms now,
                                   floor_output& out) {
  auto it = std::find_if(hands_.begin(), hands_.end(), [&](const v1::HandEntry& hand) {
    return hand.member_id() == move.member_id();
  });
  if (it == hands_.end()) {
    return error_reply(v1::ERROR_CODE_NOT_FOUND, "that member has no hand raised");
  }
  const auto from = static_cast<std::size_t>(it - hands_.begin());
  const std::size_t to = std::min<std::size_t>(move.position(), hands_.size() - 1);
  if (from == to) {
    return done();
  }
  v1::HandEntry hand = *it;
  hands_.erase(it);
  hands_.insert(hands_.begin() + static_cast<std::ptrdiff_t>(to), hand);
  changed(v1::FLOOR_CHANGE_HAND_MOVED, actor.id, move.member_id(), now, out);
  return done();
}

v1::Reply floor_control::grant(const member& actor, member_id target, const roster& people,
                               time_ms now, floor_output& out) {
  if (round_) {
    return round_running();
  }
  if (target == 0) {
    const v1::HandEntry* next = first_present_hand(people);
    if (next == nullptr) {
      return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "no present member has a hand up");
    }
    target = next->member_id();
  }
  return hand_over(actor, target, v1::FLOOR_CHANGE_GRANTED, people, now, out);
}

v1::Reply floor_control::take(const member& actor, time_ms now, floor_output& out) {
  if (!can_take_floor(actor)) {
    return error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "observers do not take the floor");
  }
  if (actor.floor_muted) {
    return error_reply(v1::ERROR_CODE_PERMISSION_DENIED, "you are muted for the floor");
  }
  if (round_) {
    return round_running();
  }
  if (mode_ != v1::FLOOR_MODE_OPEN) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                       "the floor is not open; raise your hand");
  }
  if (holds(actor.id)) {
    return done();
  }
  if (turn_) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION,
                       "someone has the floor; raise your hand");
  }
  start_turn(actor.id, settings_.timing(), now);
  changed(v1::FLOOR_CHANGE_TAKEN, actor.id, actor.id, now, out);
  return done();
}

v1::Reply floor_control::yield(const member& actor, const roster& people, time_ms now,
                               floor_output& out) {
  if (!holds(actor.id)) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "you do not have the floor");
  }
  if (round_) {
    finish_round_turn(v1::TURN_OUTCOME_SPOKE, v1::FLOOR_CHANGE_YIELDED, actor.id, people, now, out);
    return done();
  }
  end_turn(now);
  changed(v1::FLOOR_CHANGE_YIELDED, actor.id, actor.id, now, out);
  grant_next_hand_if_open(people, now, out);
  return done();
}

v1::Reply floor_control::revoke(const member& actor, const roster& people, time_ms now,
                                floor_output& out) {
  if (!turn_) {
    return done();
  }
  if (round_) {
    // In a round, taking the floor back moves on to the next person.
    finish_round_turn(v1::TURN_OUTCOME_SPOKE, v1::FLOOR_CHANGE_REVOKED, actor.id, people, now, out);
    return done();
  }
  const member_id holder = turn_->holder();
  end_turn(now);
  changed(v1::FLOOR_CHANGE_REVOKED, actor.id, holder, now, out);
  grant_next_hand_if_open(people, now, out);
  return done();
}

v1::Reply floor_control::pass_piece(const member& actor, member_id target, const roster& people,
                                    time_ms now, floor_output& out) {
  if (mode_ != v1::FLOOR_MODE_TALKING_PIECE) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "there is no talking piece now");
  }
  if (!holds(actor.id) && !is_facilitator(actor.who.role)) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "you do not hold the talking piece");
  }
  return hand_over(actor, target, v1::FLOOR_CHANGE_PIECE_PASSED, people, now, out);
}

v1::Reply floor_control::hand_over(const member& actor, member_id target, v1::FloorChangeKind kind,
                                   const roster& people, time_ms now, floor_output& out) {
  auto invalid = check_speaker(find_here(people, target));
  if (invalid.has_error()) {
    return invalid;
  }
  if (holds(target)) {
    return done();
  }
  end_turn(now);
  start_turn(target, settings_.timing(), now);
  changed(kind, actor.id, target, now, out);
  return done();
}

v1::Reply floor_control::extend(const member& actor, std::uint32_t extra, time_ms now,
                                floor_output& out) {
  if (!turn_ || !turn_->timed()) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "no timed turn is running");
  }
  if (extra == 0) {
    return error_reply(v1::ERROR_CODE_BAD_REQUEST, "extend by a positive time");
  }
  const auto budget = static_cast<time_ms>(turn_->to_wire(now).budget_ms());
  if (budget + static_cast<time_ms>(extra) > limits_.max_turn) {
    return error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "turn budget is over the limit");
  }
  turn_->extend(extra, now);
  changed(v1::FLOOR_CHANGE_TURN_EXTENDED, actor.id, turn_->holder(), now, out);
  return done();
}

v1::Reply floor_control::set_paused(const member& actor, bool paused, time_ms now,
                                    floor_output& out) {
  if (manual_pause_ == paused) {
    return done();
  }
  manual_pause_ = paused;
  sync_pause(actor.id, now, out);
  return done();
}

void floor_control::set_break(bool on, member_id actor, time_ms now, floor_output& out) {
  on_break_ = on;
  sync_pause(actor, now, out);
}

}  // namespace hearth::core
