// The floor of one room: mode, the hand queue, who holds the floor and the
// clock of that turn, go-around rounds and airtime. Pure: the room passes in
// the roster and the time and emits what the floor reports.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/effects.hpp"
#include "core/roster.hpp"
#include "core/turn_clock.hpp"
#include "hearth/v1/envelope.pb.h"

namespace hearth::core {

// Event bodies the room stamps and sends: `room` to the room stream, `staff`
// to each facilitator's direct stream.
struct floor_output {
  std::vector<v1::Event> room;
  std::vector<v1::Event> staff;
};

// Whose role may hold the floor, raise a hand or be in a round.
bool can_take_floor(const member& m);
// ... and who may do so now: that role, and not muted for the floor.
bool may_speak(const member& m);

class floor_control {
 public:
  // `place`: the room of the session this floor belongs to (0 the main room,
  // else a breakout); members elsewhere are as absent to it. A breakout's
  // floor starts open, since nobody may be there to grant hands.
  floor_control(const room_limits& limits, std::uint32_t place = 0);

  // A FloorCommand from a present member. The reply is an error (nothing
  // changed) or a FloorResult whose seq the room fills in.
  v1::Reply handle(const member& actor, const v1::FloorCommand& command, const roster& people,
                   time_ms now, floor_output& out);

  // `m` changed presence (joined, dropped, came back, left); `before` is
  // PRESENCE_UNSPECIFIED for a member who is new to the room.
  void presence_changed(const member& m, v1::Presence before, const roster& people, time_ms now,
                        floor_output& out);

  // `m` may no longer hold the floor or wait for it (muted for the floor, or
  // a role that never speaks): their turn ends (in a round as SKIPPED, and the
  // round moves on) and their hand goes. Their pending round entry stays, to
  // be passed over when reached. `actor` caused it.
  void member_silenced(const member& m, member_id actor, const roster& people, time_ms now,
                       floor_output& out);

  // `m`'s role changed: who counts as a facilitator (for the pause), and
  // whether they may still speak.
  void role_changed(const member& m, member_id actor, const roster& people, time_ms now,
                    floor_output& out);

  // The session's break: the turn clock stands still while it lasts.
  void set_break(bool on, member_id actor, time_ms now, floor_output& out);

  void wake(const roster& people, time_ms now, floor_output& out);
  std::optional<time_ms> next_wake() const;

  v1::FloorState state(time_ms now) const;
  v1::AirtimeReport airtime(const roster& people, time_ms now) const;

  // The floor's rules; returns the first one broken, or "" when all hold.
  std::string check_invariants(const roster& people) const;

 private:
  struct round_entry {
    member_id member = 0;
    v1::TurnOutcome outcome = v1::TURN_OUTCOME_PENDING;
    time_ms duration = 0;
  };
  struct round_state {
    v1::Round settings;  // everything but the entries
    std::vector<round_entry> entries;
    std::size_t current = 0;  // index of the SPEAKING entry
  };
  struct airtime_entry {
    time_ms floor = 0;
    std::uint32_t turns = 0;
  };

  // Commands (floor_commands.cpp).
  v1::Reply set_mode(const member& actor, v1::FloorMode mode, const roster& people, time_ms now,
                     floor_output& out);
  v1::Reply set_settings(const member& actor, const v1::FloorSettings& settings, time_ms now,
                         floor_output& out);
  v1::Reply raise_hand(const member& actor, const roster& people, time_ms now, floor_output& out);
  v1::Reply lower_hand(const member& actor, member_id target, time_ms now, floor_output& out);
  v1::Reply move_hand(const member& actor, const v1::MoveHand& move, time_ms now,
                      floor_output& out);
  v1::Reply grant(const member& actor, member_id target, const roster& people, time_ms now,
                  floor_output& out);
  v1::Reply take(const member& actor, time_ms now, floor_output& out);
  v1::Reply yield(const member& actor, const roster& people, time_ms now, floor_output& out);
  v1::Reply revoke(const member& actor, const roster& people, time_ms now, floor_output& out);
  v1::Reply pass_piece(const member& actor, member_id target, const roster& people, time_ms now,
                       floor_output& out);
  // Gives the floor to `target` (present, may speak), ending the current turn.
  v1::Reply hand_over(const member& actor, member_id target, v1::FloorChangeKind kind,
                      const roster& people, time_ms now, floor_output& out);
  v1::Reply extend(const member& actor, std::uint32_t extra, time_ms now, floor_output& out);
  v1::Reply set_paused(const member& actor, bool paused, time_ms now, floor_output& out);

  // Rounds (floor_round.cpp).
  v1::Reply start_round(const member& actor, const v1::StartRound& request, const roster& people,
                        time_ms now, floor_output& out);
  v1::Reply reorder_round(const member& actor, const v1::ReorderRound& request, time_ms now,
                          floor_output& out);
  // Ends the current round turn with `outcome`, reports `kind`, moves on.
  void finish_round_turn(v1::TurnOutcome outcome, v1::FloorChangeKind kind, member_id actor,
                         const roster& people, time_ms now, floor_output& out);
  // Starts the next present member's turn, or completes the round.
  void advance_round(const roster& people, time_ms now, floor_output& out);
  void end_round(v1::RoundEndReason reason, member_id actor, const roster& people, time_ms now,
                 floor_output& out);
  void append_late_joiner(const member& m, time_ms now, floor_output& out);
  std::string check_round(const roster& people) const;

  // Shared mechanics (floor_control.cpp).
  void update_staff(const roster& people);
  void start_turn(member_id holder, const v1::TurnTiming& timing, time_ms now);
  // Returns the time held; `spoke` counts the turn in airtime (a pass, a skip
  // or an absence adds time held but no turn).
  time_ms end_turn(time_ms now, bool spoke = true);
  // Open mode: a free floor goes to the first present hand.
  void grant_next_hand_if_open(const roster& people, time_ms now, floor_output& out);
  bool remove_hand(member_id m);
  const v1::HandEntry* first_present_hand(const roster& people) const;
  bool paused() const;
  // Makes the turn clock agree with paused(); reports a change of pause state.
  void sync_pause(member_id actor, time_ms now, floor_output& out);
  void changed(v1::FloorChangeKind kind, member_id actor, member_id subject, time_ms now,
               floor_output& out);
  void report_airtime_if_changed(const roster& people, time_ms now, floor_output& out);
  v1::Reply validate_timing(const v1::TurnTiming& timing) const;
  bool holds(member_id m) const { return turn_ && turn_->holder() == m; }
  // Members of this floor's room: present, reconnecting or (as nullptr) absent.
  const member* find_here(const roster& people, member_id id) const;
  std::vector<const member*> here(const roster& people) const;
  // LEFT for a member in another room of the session.
  v1::Presence presence_here(const member& m) const {
    return m.place == place_ ? m.presence : v1::PRESENCE_LEFT;
  }

  std::uint32_t place_ = 0;

  room_limits limits_;
  v1::FloorMode mode_ = v1::FLOOR_MODE_MODERATED;
  v1::FloorMode mode_before_round_ = v1::FLOOR_MODE_MODERATED;
  v1::FloorSettings settings_;
  std::optional<turn_clock> turn_;
  std::vector<v1::HandEntry> hands_;
  std::optional<round_state> round_;
  std::uint32_t rounds_started_ = 0;
  bool manual_pause_ = false;
  bool on_break_ = false;
  bool no_facilitator_ = true;
  bool clock_paused_ = false;  // the pause state last reported
  std::map<member_id, airtime_entry> airtime_;
  bool airtime_changed_ = false;
};

}  // namespace hearth::core
