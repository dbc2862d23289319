// Go-around rounds: order, turns, outcomes and the summary.
#include <algorithm>
#include <set>

#include "core/floor_control.hpp"

namespace hearth::core {
namespace {

// SplitMix64: small, fully specified, so a client can reproduce a shuffled
// order from the recorded seed (docs/protocol.md).
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

// Fisher-Yates from the back: for i = n down to 2, swap positions i-1 and
// next() % i.
void shuffle(std::vector<member_id>& order, std::uint64_t seed) {
  std::uint64_t state = seed;
  for (std::size_t i = order.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(splitmix64(state) % i);
    std::swap(order[i - 1], order[j]);
  }
}

// Rounds go around the people in treatment and their families; a facilitator
// who wants to speak in one puts themselves in a custom order.
bool in_roster_round(const member& m) {
  return m.who.role == v1::ROLE_PARTICIPANT || m.who.role == v1::ROLE_FAMILY_MEMBER;
}

bool resolved(v1::TurnOutcome outcome) {
  return outcome == v1::TURN_OUTCOME_SPOKE || outcome == v1::TURN_OUTCOME_PASSED ||
         outcome == v1::TURN_OUTCOME_SKIPPED || outcome == v1::TURN_OUTCOME_ABSENT;
}

v1::Reply done() {
  v1::Reply reply;
  reply.mutable_floor();
  return reply;
}

}  // namespace

v1::Reply floor_control::start_round(const member& actor, const v1::StartRound& request,
                                     const roster& people, time_ms now, floor_output& out) {
  if (round_) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "a round is already running");
  }
  auto invalid = validate_timing(request.timing());
  if (invalid.has_error()) {
    return invalid;
  }
  if (!v1::RoundOrder_IsValid(request.order()) ||
      !v1::LateJoiners_IsValid(request.late_joiners())) {
    return error_reply(v1::ERROR_CODE_BAD_REQUEST, "unknown round order or late-joiner rule");
  }
  if (request.label().size() > limits_.max_round_label_bytes) {
    return error_reply(v1::ERROR_CODE_LIMIT_EXCEEDED, "round label is too long");
  }
  const v1::RoundOrder order =
      request.order() == v1::ROUND_ORDER_UNSPECIFIED ? v1::ROUND_ORDER_ROSTER : request.order();
  std::vector<member_id> ids;
  if (order == v1::ROUND_ORDER_CUSTOM) {
    std::set<member_id> seen;
    for (member_id id : request.custom_order()) {
      const member* m = find_here(people, id);
      if (m == nullptr || m->presence == v1::PRESENCE_LEFT) {
        return error_reply(v1::ERROR_CODE_NOT_FOUND, "the order names someone not in the room");
      }
      if (!can_take_floor(*m)) {
        return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "observers are not in rounds");
      }
      if (!seen.insert(id).second) {
        return error_reply(v1::ERROR_CODE_BAD_REQUEST, "the order names someone twice");
      }
      ids.push_back(id);
    }
  } else {
    for (const member* m : here(people)) {
      if (in_roster_round(*m)) {
        ids.push_back(m->id);
      }
    }
    if (order == v1::ROUND_ORDER_SHUFFLED) {
      shuffle(ids, request.shuffle_seed());
    }
  }
  if (ids.empty()) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "nobody to go around");
  }

  end_turn(now);
  round_state round;
  auto& s = round.settings;
  s.set_round_id(++rounds_started_);
  s.set_label(request.label());
  s.set_order(order);
  if (order == v1::ROUND_ORDER_SHUFFLED) {
    s.set_shuffle_seed(request.shuffle_seed());
  }
  *s.mutable_timing() = request.timing();
  s.set_late_joiners(request.late_joiners() == v1::LATE_JOINERS_UNSPECIFIED
                         ? v1::LATE_JOINERS_APPEND
                         : request.late_joiners());
  s.set_started_at_ms(static_cast<std::uint64_t>(now));
  for (member_id id : ids) {
    round.entries.push_back({id, v1::TURN_OUTCOME_PENDING, 0});
  }
  round.current = 0;
  round_ = std::move(round);
  mode_before_round_ = mode_;
  mode_ = v1::FLOOR_MODE_ROUND;
  changed(v1::FLOOR_CHANGE_ROUND_STARTED, actor.id, 0, now, out);
  advance_round(people, now, out);
  return done();
}

v1::Reply floor_control::reorder_round(const member& actor, const v1::ReorderRound& request,
                                       time_ms now, floor_output& out) {
  if (!round_) {
    return error_reply(v1::ERROR_CODE_FAILED_PRECONDITION, "no round is running");
  }
  auto& entries = round_->entries;
  const std::size_t first_pending = round_->current + 1;
  std::multiset<member_id> pending;
  for (std::size_t i = first_pending; i < entries.size(); ++i) {
    pending.insert(entries[i].member);
  }
  const std::multiset<member_id> requested(request.member_ids().begin(),
                                           request.member_ids().end());
  if (requested != pending) {
    return error_reply(v1::ERROR_CODE_BAD_REQUEST,
                       "the new order must list every waiting member exactly once");
  }
  for (int i = 0; i < request.member_ids_size(); ++i) {
    entries[first_pending + static_cast<std::size_t>(i)] = {request.member_ids(i),
                                                            v1::TURN_OUTCOME_PENDING, 0};
  }
  changed(v1::FLOOR_CHANGE_ROUND_REORDERED, actor.id, 0, now, out);
  return done();
}

void floor_control::finish_round_turn(v1::TurnOutcome outcome, v1::FloorChangeKind kind,
                                      member_id actor, const roster& people, time_ms now,
                                      floor_output& out) {
  auto& entry = round_->entries[round_->current];
  entry.duration = end_turn(now, outcome == v1::TURN_OUTCOME_SPOKE);
  entry.outcome = outcome;
  changed(kind, actor, entry.member, now, out);
  advance_round(people, now, out);
}

void floor_control::advance_round(const roster& people, time_ms now, floor_output& out) {
  auto& entries = round_->entries;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& entry = entries[i];
    if (entry.outcome != v1::TURN_OUTCOME_PENDING) {
      continue;
    }
    const member* m = find_here(people, entry.member);
    if (m == nullptr || m->presence != v1::PRESENCE_PRESENT || !can_take_floor(*m)) {
      entry.outcome = v1::TURN_OUTCOME_ABSENT;
      continue;
    }
    if (m->floor_muted) {
      entry.outcome = v1::TURN_OUTCOME_SKIPPED;  // passed over, as a facilitator's skip
      continue;
    }
    entry.outcome = v1::TURN_OUTCOME_SPEAKING;
    round_->current = i;
    start_turn(entry.member, round_->settings.timing(), now);
    changed(v1::FLOOR_CHANGE_TURN_STARTED, 0, entry.member, now, out);
    return;
  }
  end_round(v1::ROUND_END_REASON_COMPLETED, 0, people, now, out);
}

void floor_control::end_round(v1::RoundEndReason reason, member_id actor, const roster& people,
                              time_ms now, floor_output& out) {
  v1::Event event;
  auto* summary = event.mutable_round_summary();
  const auto& s = round_->settings;
  summary->set_round_id(s.round_id());
  summary->set_label(s.label());
  summary->set_order(s.order());
  summary->set_shuffle_seed(s.shuffle_seed());
  summary->set_started_at_ms(s.started_at_ms());
  summary->set_ended_at_ms(static_cast<std::uint64_t>(now));
  summary->set_reason(reason);
  for (auto& entry : round_->entries) {
    if (entry.outcome == v1::TURN_OUTCOME_SPEAKING) {
      entry.duration = end_turn(now);
      entry.outcome = v1::TURN_OUTCOME_SPOKE;
    } else if (entry.outcome == v1::TURN_OUTCOME_PENDING) {
      entry.outcome = v1::TURN_OUTCOME_NOT_REACHED;
    }
    auto* e = summary->add_entries();
    e->set_member_id(entry.member);
    e->set_outcome(entry.outcome);
    e->set_duration_ms(static_cast<std::uint32_t>(entry.duration));
  }
  round_.reset();
  mode_ = mode_before_round_;
  changed(v1::FLOOR_CHANGE_ROUND_ENDED, actor, 0, now, out);
  out.staff.push_back(std::move(event));
  if (reason != v1::ROUND_END_REASON_MODE_CHANGED) {
    grant_next_hand_if_open(people, now, out);  // otherwise the new mode decides
  }
}

void floor_control::append_late_joiner(const member& m, time_ms now, floor_output& out) {
  if (round_->settings.late_joiners() != v1::LATE_JOINERS_APPEND || !in_roster_round(m)) {
    return;
  }
  const auto& entries = round_->entries;
  const bool listed = std::any_of(entries.begin(), entries.end(),
                                  [&](const round_entry& entry) { return entry.member == m.id; });
  if (listed) {
    return;
  }
  round_->entries.push_back({m.id, v1::TURN_OUTCOME_PENDING, 0});
  changed(v1::FLOOR_CHANGE_ROUND_JOINED, 0, m.id, now, out);
}

std::string floor_control::check_round(const roster& people) const {
  const auto& entries = round_->entries;
  std::set<member_id> seen;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    if (!seen.insert(entry.member).second) {
      return "the round's order holds someone twice";
    }
    if (people.find(entry.member) == nullptr) {
      return "the round's order holds an unknown member";
    }
    const bool in_place = i < round_->current    ? resolved(entry.outcome)
                          : i == round_->current ? entry.outcome == v1::TURN_OUTCOME_SPEAKING
                                                 : entry.outcome == v1::TURN_OUTCOME_PENDING;
    if (!in_place) {
      return "the round's outcomes are out of order";
    }
  }
  if (round_->current >= entries.size() || !turn_ ||
      turn_->holder() != entries[round_->current].member) {
    return "the current turn does not belong to the round's order";
  }
  return {};
}

}  // namespace hearth::core
