// The floor: presence, timers, state and the mechanics shared by commands.
#include "core/floor_control.hpp"

#include <algorithm>
#include <set>

namespace hearth::core {

bool can_take_floor(const member& m) {
  return m.who.role != v1::ROLE_OBSERVER && m.who.role != v1::ROLE_UNSPECIFIED;
}

bool may_speak(const member& m) { return can_take_floor(m) && !m.floor_muted; }

floor_control::floor_control(const room_limits& limits, std::uint32_t place)
    : place_(place), limits_(limits) {
  if (place != 0) {
    mode_ = v1::FLOOR_MODE_OPEN;
    mode_before_round_ = v1::FLOOR_MODE_OPEN;
  }
}

const member* floor_control::find_here(const roster& people, member_id id) const {
  const member* m = people.find(id);
  return m != nullptr && m->place == place_ ? m : nullptr;
}

std::vector<const member*> floor_control::here(const roster& people) const {
  auto all = people.active_members();
  std::erase_if(all, [this](const member* m) { return m->place != place_; });
  return all;
}

void floor_control::presence_changed(const member& m, v1::Presence before, const roster& people,
                                     time_ms now, floor_output& out) {
  update_staff(people);
  const v1::Presence presence = presence_here(m);

  if (presence != v1::PRESENCE_PRESENT && holds(m.id)) {
    if (round_) {
      finish_round_turn(v1::TURN_OUTCOME_ABSENT, v1::FLOOR_CHANGE_HOLDER_LEFT, 0, people, now, out);
    } else {
      end_turn(now);
      changed(v1::FLOOR_CHANGE_HOLDER_LEFT, 0, m.id, now, out);
      grant_next_hand_if_open(people, now, out);
    }
  }
  // Dropped members keep their hand for the grace period; departed ones lose it.
  if (presence == v1::PRESENCE_LEFT && remove_hand(m.id)) {
    changed(v1::FLOOR_CHANGE_HAND_LOWERED, 0, m.id, now, out);
  }
  const bool arrived = presence == v1::PRESENCE_PRESENT &&
                       (before == v1::PRESENCE_UNSPECIFIED || before == v1::PRESENCE_LEFT);
  if (arrived && round_) {
    append_late_joiner(m, now, out);
  }
  if (presence == v1::PRESENCE_PRESENT) {
    grant_next_hand_if_open(people, now, out);  // a returning hand may be next
  }
  sync_pause(0, now, out);
  report_airtime_if_changed(people, now, out);
}

void floor_control::member_silenced(const member& m, member_id actor, const roster& people,
                                    time_ms now, floor_output& out) {
  if (holds(m.id)) {
    if (round_) {
      finish_round_turn(v1::TURN_OUTCOME_SKIPPED, v1::FLOOR_CHANGE_TURN_SKIPPED, actor, people, now,
                        out);
    } else {
      end_turn(now);
      changed(v1::FLOOR_CHANGE_REVOKED, actor, m.id, now, out);
      grant_next_hand_if_open(people, now, out);
    }
  }
  if (remove_hand(m.id)) {
    changed(v1::FLOOR_CHANGE_HAND_LOWERED, actor, m.id, now, out);
  }
  report_airtime_if_changed(people, now, out);
}

void floor_control::role_changed(const member& m, member_id actor, const roster& people,
                                 time_ms now, floor_output& out) {
  if (!can_take_floor(m)) {
    member_silenced(m, actor, people, now, out);
  }
  update_staff(people);
  sync_pause(0, now, out);
}

void floor_control::wake(const roster& people, time_ms now, floor_output& out) {
  if (!turn_) {
    return;
  }
  const member_id holder = turn_->holder();
  switch (turn_->wake(now)) {
    case turn_clock::alarm::none:
      return;
    case turn_clock::alarm::warning:
      changed(v1::FLOOR_CHANGE_TURN_WARNING, 0, holder, now, out);
      return;
    case turn_clock::alarm::expired:
      break;
  }
  if (turn_->timing().on_expiry() == v1::EXPIRY_ACTION_NOTIFY) {
    turn_->mark_overdue();
    changed(v1::FLOOR_CHANGE_TURN_EXPIRED, 0, holder, now, out);
  } else if (round_) {
    finish_round_turn(v1::TURN_OUTCOME_SPOKE, v1::FLOOR_CHANGE_TURN_EXPIRED, 0, people, now, out);
  } else {
    end_turn(now);
    changed(v1::FLOOR_CHANGE_TURN_EXPIRED, 0, holder, now, out);
    grant_next_hand_if_open(people, now, out);
  }
  report_airtime_if_changed(people, now, out);
}

std::optional<time_ms> floor_control::next_wake() const {
  return turn_ ? turn_->next_wake() : std::nullopt;
}

v1::FloorState floor_control::state(time_ms now) const {
  v1::FloorState wire;
  wire.set_mode(mode_);
  *wire.mutable_settings() = settings_;
  if (turn_) {
    *wire.mutable_turn() = turn_->to_wire(now);
  }
  for (const auto& hand : hands_) {
    *wire.add_hands() = hand;
  }
  if (round_) {
    auto* round = wire.mutable_round();
    *round = round_->settings;
    for (const auto& entry : round_->entries) {
      auto* e = round->add_entries();
      e->set_member_id(entry.member);
      e->set_outcome(entry.outcome);
    }
  }
  if (manual_pause_) {
    wire.set_paused(v1::PAUSE_REASON_FACILITATOR);
  } else if (on_break_) {
    wire.set_paused(v1::PAUSE_REASON_BREAK);
  } else if (paused()) {
    wire.set_paused(v1::PAUSE_REASON_NO_FACILITATOR);
  }
  return wire;
}

v1::AirtimeReport floor_control::airtime(const roster& people, time_ms now) const {
  std::set<member_id> listed;
  for (const member* m : here(people)) {
    if (can_take_floor(*m)) {
      listed.insert(m->id);
    }
  }
  for (const auto& [id, entry] : airtime_) {
    listed.insert(id);
  }
  v1::AirtimeReport report;
  for (member_id id : listed) {
    auto* a = report.add_members();
    a->set_member_id(id);
    auto it = airtime_.find(id);
    time_ms held = it == airtime_.end() ? 0 : it->second.floor;
    if (holds(id)) {
      held += turn_->held(now);
    }
    a->set_floor_ms(static_cast<std::uint64_t>(held));
    a->set_turns(it == airtime_.end() ? 0 : it->second.turns);
  }
  return report;
}

std::string floor_control::check_invariants(const roster& people) const {
  if (turn_) {
    const member* holder = find_here(people, turn_->holder());
    if (holder == nullptr || holder->presence != v1::PRESENCE_PRESENT) {
      return "the floor holder is not present";
    }
    if (!can_take_floor(*holder)) {
      return "the floor holder may not hold the floor";
    }
    if (holder->floor_muted) {
      return "a member muted for the floor holds it";
    }
    if (turn_->running() == paused()) {
      return "the turn clock disagrees with the pause state";
    }
  }
  std::set<member_id> queued;
  for (const auto& hand : hands_) {
    if (!queued.insert(hand.member_id()).second) {
      return "a member is twice in the hand queue";
    }
    const member* m = find_here(people, hand.member_id());
    if (m == nullptr || m->presence == v1::PRESENCE_LEFT || !can_take_floor(*m)) {
      return "the hand queue holds someone who left or may not speak";
    }
    if (m->floor_muted) {
      return "a member muted for the floor is in the hand queue";
    }
    if (holds(hand.member_id())) {
      return "the floor holder is also in the hand queue";
    }
  }
  if (round_.has_value() != (mode_ == v1::FLOOR_MODE_ROUND)) {
    return "round mode without a round, or a round outside round mode";
  }
  return round_ ? check_round(people) : std::string();
}

void floor_control::update_staff(const roster& people) {
  bool staff_present = false;
  for (const member* other : here(people)) {
    staff_present |= other->presence == v1::PRESENCE_PRESENT && is_facilitator(other->who.role);
  }
  no_facilitator_ = !staff_present;
}

void floor_control::start_turn(member_id holder, const v1::TurnTiming& timing, time_ms now) {
  remove_hand(holder);  // the turn answers the hand, in a round too
  turn_.emplace(holder, timing, now, paused());
}

time_ms floor_control::end_turn(time_ms now, bool spoke) {
  if (!turn_) {
    return 0;
  }
  const time_ms held = turn_->held(now);
  auto& airtime = airtime_[turn_->holder()];
  airtime.floor += held;
  airtime.turns += spoke ? 1 : 0;
  airtime_changed_ = true;
  turn_.reset();
  return held;
}

void floor_control::grant_next_hand_if_open(const roster& people, time_ms now, floor_output& out) {
  if (mode_ != v1::FLOOR_MODE_OPEN || turn_) {
    return;
  }
  const v1::HandEntry* next = first_present_hand(people);
  if (next == nullptr) {
    return;
  }
  const member_id holder = next->member_id();
  start_turn(holder, settings_.timing(), now);
  changed(v1::FLOOR_CHANGE_GRANTED, 0, holder, now, out);
}

bool floor_control::remove_hand(member_id m) {
  auto it = std::find_if(hands_.begin(), hands_.end(),
                         [m](const v1::HandEntry& hand) { return hand.member_id() == m; });
  if (it == hands_.end()) {
    return false;
  }
  hands_.erase(it);
  return true;
}

const v1::HandEntry* floor_control::first_present_hand(const roster& people) const {
  for (const auto& hand : hands_) {
    const member* m = find_here(people, hand.member_id());
    if (m != nullptr && m->presence == v1::PRESENCE_PRESENT) {
      return &hand;
    }
  }
  return nullptr;
}

bool floor_control::paused() const {
  return manual_pause_ || on_break_ || (settings_.pause_without_facilitator() && no_facilitator_);
}

void floor_control::sync_pause(member_id actor, time_ms now, floor_output& out) {
  const bool stop = paused();
  if (turn_) {
    if (stop) {
      turn_->pause(now);
    } else {
      turn_->resume(now);
    }
  }
  if (stop != clock_paused_) {
    clock_paused_ = stop;
    changed(stop ? v1::FLOOR_CHANGE_PAUSED : v1::FLOOR_CHANGE_RESUMED, actor, 0, now, out);
  }
}

void floor_control::changed(v1::FloorChangeKind kind, member_id actor, member_id subject,
                            time_ms now, floor_output& out) {
  v1::Event event;
  auto* change = event.mutable_floor();
  change->set_kind(kind);
  change->set_actor_member_id(actor);
  change->set_subject_member_id(subject);
  *change->mutable_state() = state(now);
  out.room.push_back(std::move(event));
}

void floor_control::report_airtime_if_changed(const roster& people, time_ms now,
                                              floor_output& out) {
  if (!airtime_changed_) {
    return;
  }
  airtime_changed_ = false;
  v1::Event event;
  *event.mutable_airtime() = airtime(people, now);
  out.staff.push_back(std::move(event));
}

v1::Reply floor_control::validate_timing(const v1::TurnTiming& timing) const {
  if (!v1::ExpiryAction_IsValid(timing.on_expiry())) {
    return error_reply(v1::ERROR_CODE_BAD_REQUEST, "unknown expiry action");
  }
  if (static_cast<time_ms>(timing.budget_ms()) > limits_.max_turn) {
    return error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "turn budget is over the limit");
  }
  if (timing.warning_before_ms() != 0 && timing.warning_before_ms() >= timing.budget_ms()) {
    return error_reply(v1::ERROR_CODE_BAD_REQUEST, "the warning must come before the turn ends");
  }
  return {};
}

}  // namespace hearth::core
