// Thousands of random floor commands from random roles at random times, with
// joins, drops, returns and departures in between, and random moderation
// (mutes, removals, promotions, the lock). After every step the floor's rules
// must hold (no one muted for the floor holds it or waits in the queue); a
// rejected command must change nothing; staff-only commands from others are
// always refused; durations never reach participants.
// The seed is printed; HEARTH_TEST_SEED=N replays one run.
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>

#include "floor_fixture.hpp"

namespace hearth::core::testing {
namespace {

struct actor_spec {
  const char* subject;
  v1::Role role;
};

constexpr actor_spec cast_list[] = {
    {"f1", v1::ROLE_FACILITATOR},   {"f2", v1::ROLE_CO_FACILITATOR}, {"p1", v1::ROLE_PARTICIPANT},
    {"p2", v1::ROLE_PARTICIPANT},   {"p3", v1::ROLE_PARTICIPANT},    {"p4", v1::ROLE_PARTICIPANT},
    {"m1", v1::ROLE_FAMILY_MEMBER}, {"o1", v1::ROLE_OBSERVER},
};

bool staff_only(const v1::FloorCommand& c) {
  switch (c.action_case()) {
    case v1::FloorCommand::kSetMode:
    case v1::FloorCommand::kSetSettings:
    case v1::FloorCommand::kMoveHand:
    case v1::FloorCommand::kGrantFloor:
    case v1::FloorCommand::kRevokeFloor:
    case v1::FloorCommand::kStartRound:
    case v1::FloorCommand::kSkipTurn:
    case v1::FloorCommand::kExtendTurn:
    case v1::FloorCommand::kPause:
    case v1::FloorCommand::kResume:
    case v1::FloorCommand::kReorderRound:
    case v1::FloorCommand::kEndRound:
    case v1::FloorCommand::kGetAirtime:
      return true;
    default:
      return false;
  }
}

class random_floor {
 public:
  explicit random_floor(std::uint64_t seed) : rng_(seed), room_("r1", limits()) {}

  static room_limits limits() {
    room_limits l;
    l.max_members = 20;
    l.reconnect_grace = 10'000;
    l.max_turn = 120'000;
    return l;
  }

  void run(int steps) {
    for (int step = 0; step < steps && !::testing::Test::HasFatalFailure(); ++step) {
      SCOPED_TRACE("step " + std::to_string(step));
      now_ += pick({0, 1, 10, 250, 1000, 4000, 15'000});
      fire_timers();
      const auto who = static_cast<std::size_t>(pick(0, std::size(cast_list) - 1));
      if (!conn_[who]) {
        if (pick(0, 2) == 0) {
          connect(who);
        }
      } else if (pick(0, 30) == 0) {
        observe(room_.disconnect(*conn_[who], now_), std::nullopt);
        conn_[who].reset();
      } else if (pick(0, 60) == 0) {
        v1::ClientMessage leave;
        leave.mutable_leave_room();
        observe(room_.handle(*conn_[who], leave, now_), std::nullopt);
        conn_[who].reset();
      } else if (pick(0, 11) == 0) {
        moderation(who);
      } else {
        command(who);
      }
      const auto broken = room_.check_invariants();
      ASSERT_TRUE(broken.empty()) << broken;
    }
  }

  // How many changes of each kind the run produced: a run that never reached
  // rounds, expiries or pauses would prove little.
  void print_coverage() const {
    std::cout << "  floor changes:";
    for (const auto& [kind, count] : seen_) {
      std::cout << " " << v1::FloorChangeKind_Name(kind).substr(13) << "=" << count;
    }
    std::cout << "\n  moderation:";
    for (const auto& [what, count] : moderation_seen_) {
      std::cout << " " << what << "=" << count;
    }
    std::cout << std::endl;
  }
  std::size_t kinds_seen() const { return seen_.size(); }

 private:
  std::int64_t pick(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  template <typename T>
  T pick(std::initializer_list<T> options) {
    return *(options.begin() + pick(0, static_cast<std::int64_t>(options.size()) - 1));
  }

  // Timers fire in deadline order, as the shell arms them.
  void fire_timers() {
    while (auto wake = room_.next_wake()) {
      if (*wake > now_) {
        return;
      }
      observe(room_.wake(*wake), std::nullopt);
    }
  }

  void connect(std::size_t who) {
    const auto& spec = cast_list[who];
    const connection_id conn = next_conn_++;
    auto fx = room_.join(conn, identity{spec.subject, spec.subject, "r1", spec.role}, now_);
    ASSERT_TRUE(fx.reply);
    if (fx.reply->has_error()) {
      EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_ROOM_LOCKED);
      EXPECT_TRUE(room_.locked() && !is_facilitator(spec.role));
      EXPECT_TRUE(fx.events.empty());
      return;
    }
    if (fx.reply->join().has_lobby()) {
      // Observers and people removed earlier wait: a facilitator here admits
      // them, or they give up.
      EXPECT_TRUE(spec.role == v1::ROLE_OBSERVER ||
                  fx.reply->join().lobby().reason() == v1::WAIT_REASON_REMOVED);
      observe(fx, std::nullopt);
      const auto waiting_id = fx.reply->join().lobby().waiting_id();
      fx = admit_by_staff(waiting_id);
      if (fx.admitted.empty()) {
        v1::ClientMessage leave;
        leave.mutable_leave_room();
        observe(room_.handle(conn, leave, now_), std::nullopt);
        return;
      }
      member_[who] = fx.admitted[0].member;
    } else {
      member_[who] = fx.reply->join().member_id();
    }
    conn_[who] = conn;
    observe(fx, std::nullopt);
  }

  effects admit_by_staff(std::uint32_t waiting_id) {
    for (std::size_t i = 0; i < std::size(cast_list); ++i) {
      const member* m = conn_[i] ? room_.people().find(member_[i]) : nullptr;
      if (m != nullptr && is_facilitator(m->who.role)) {
        v1::ClientMessage admit;
        admit.mutable_lobby()->mutable_admit()->set_waiting_id(waiting_id);
        admit.mutable_lobby()->mutable_admit()->set_attest_consent(true);
        return room_.handle(*conn_[i], admit, now_);
      }
    }
    return {};
  }

  std::uint32_t some_member() {
    if (pick(0, 9) == 0) {
      return static_cast<std::uint32_t>(pick(0, 12));  // maybe unknown
    }
    return member_[static_cast<std::size_t>(pick(0, std::size(cast_list) - 1))];
  }

  v1::TurnTiming some_timing() {
    v1::TurnTiming t;
    t.set_budget_ms(pick<std::uint32_t>({0, 1000, 5000, 30'000, 200'000}));
    t.set_warning_before_ms(pick<std::uint32_t>({0, 0, 500, 2000, 40'000}));
    t.set_on_expiry(static_cast<v1::ExpiryAction>(pick(0, 3)));
    return t;
  }

  v1::FloorCommand some_command() {
    v1::FloorCommand c;
    switch (pick(0, 18)) {
      case 0:
        c.mutable_set_mode()->set_mode(static_cast<v1::FloorMode>(pick(0, 5)));
        break;
      case 1:
        *c.mutable_set_settings()->mutable_timing() = some_timing();
        c.mutable_set_settings()->set_pause_without_facilitator(pick(0, 1) == 1);
        break;
      case 2:
      case 3:
        c.mutable_raise_hand();
        break;
      case 4:
        c.mutable_lower_hand()->set_member_id(pick(0, 1) == 0 ? 0 : some_member());
        break;
      case 5:
        c.mutable_move_hand()->set_member_id(some_member());
        c.mutable_move_hand()->set_position(static_cast<std::uint32_t>(pick(0, 6)));
        break;
      case 6:
        c.mutable_grant_floor()->set_member_id(pick(0, 1) == 0 ? 0 : some_member());
        break;
      case 7:
        c.mutable_take_floor();
        break;
      case 8:
        c.mutable_yield_floor();
        break;
      case 9:
        c.mutable_revoke_floor();
        break;
      case 10:
        c.mutable_pass_piece()->set_to_member_id(some_member());
        break;
      case 11: {
        auto* r = c.mutable_start_round();
        r->set_order(static_cast<v1::RoundOrder>(pick(0, 4)));
        for (auto n = pick(0, 5); n > 0; --n) {
          r->add_custom_order(some_member());
        }
        r->set_shuffle_seed(static_cast<std::uint64_t>(pick(0, 1'000'000)));
        *r->mutable_timing() = some_timing();
        r->set_late_joiners(static_cast<v1::LateJoiners>(pick(0, 3)));
        break;
      }
      case 12:
      case 13:
        c.mutable_pass_turn();
        break;
      case 14:
        c.mutable_skip_turn();
        break;
      case 15:
        c.mutable_extend_turn()->set_extra_ms(pick<std::uint32_t>({0, 1000, 30'000, 500'000}));
        break;
      case 16:
        if (pick(0, 1) == 0) {
          c.mutable_pause();
        } else {
          c.mutable_resume();
        }
        break;
      case 17: {
        auto* r = c.mutable_reorder_round();
        // Usually a permutation of the waiting members, sometimes not.
        const auto state = room_.snapshot(0, now_).floor();
        std::vector<std::uint32_t> waiting;
        for (const auto& e : state.round().entries()) {
          if (e.outcome() == v1::TURN_OUTCOME_PENDING) {
            waiting.push_back(e.member_id());
          }
        }
        std::shuffle(waiting.begin(), waiting.end(), rng_);
        if (pick(0, 3) == 0) {
          waiting.push_back(some_member());
        }
        for (auto m : waiting) {
          r->add_member_ids(m);
        }
        break;
      }
      default:
        if (pick(0, 1) == 0) {
          c.mutable_end_round();
        } else {
          c.mutable_get_airtime();
        }
        break;
    }
    return c;
  }

  // The current role of cast member `who` (a promotion changes it).
  v1::Role role_of(std::size_t who) const {
    const member* m = room_.people().find(member_[who]);
    return m == nullptr ? cast_list[who].role : m->who.role;
  }

  void moderation(std::size_t who) {
    v1::Moderation c;
    const bool chat = pick(0, 1) == 0;
    const bool floor = !chat || pick(0, 1) == 0;
    // Mutes are lifted more often than given and locks do not last, so that
    // rounds and hands go on.
    switch (pick(0, 9)) {
      case 0:
        c.mutable_mute()->set_member_id(some_member());
        c.mutable_mute()->set_chat(chat);
        c.mutable_mute()->set_floor(floor);
        break;
      case 1:
        if (pick(0, 1) == 0) {
          c.mutable_unmute_all();
          break;
        }
        c.mutable_mute_all()->set_chat(chat);
        c.mutable_mute_all()->set_floor(floor);
        c.mutable_mute_all()->set_allow_self_unmute(pick(0, 1) == 0);
        break;
      case 2:
      case 3:
      case 4:
        c.mutable_unmute()->set_member_id(some_member());
        c.mutable_unmute()->set_chat(chat);
        c.mutable_unmute()->set_floor(floor);
        break;
      case 5:
        c.mutable_unmute_all();
        break;
      case 6:
        c.mutable_remove()->set_member_id(some_member());
        break;
      case 7:
        c.mutable_set_role()->set_member_id(some_member());
        c.mutable_set_role()->set_role(
            pick({v1::ROLE_CO_FACILITATOR, v1::ROLE_UNSPECIFIED, v1::ROLE_OBSERVER}));
        break;
      case 8:
        c.mutable_unmute_self();
        break;
      default:
        if (!room_.locked() && pick(0, 9) == 0) {
          c.mutable_lock();
        } else {
          c.mutable_unlock();
        }
        break;
    }
    v1::ClientMessage m;
    *m.mutable_moderation() = c;
    const bool staff = is_facilitator(role_of(who));
    const auto before = room_.snapshot(0, now_).SerializeAsString();
    auto fx = room_.handle(*conn_[who], m, now_);
    ASSERT_TRUE(fx.reply);
    if (!staff && !c.has_unmute_self()) {
      ASSERT_TRUE(fx.reply->has_error());
      EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_PERMISSION_DENIED);
    }
    if (fx.reply->has_error()) {
      EXPECT_TRUE(fx.events.empty()) << "a refused command emitted events";
      EXPECT_TRUE(fx.closes.empty());
      EXPECT_EQ(room_.snapshot(0, now_).SerializeAsString(), before)
          << "a refused command changed the room";
    } else {
      ASSERT_TRUE(fx.reply->has_moderation());
      EXPECT_EQ(fx.reply->moderation().seq(), room_.head_seq());
    }
    for (const auto& close : fx.closes) {
      EXPECT_EQ(close.code, v1::CLOSE_CODE_REMOVED);
      for (auto& conn : conn_) {
        if (conn == close.connection) {
          conn.reset();
        }
      }
    }
    observe(fx, who);
  }

  void command(std::size_t who) {
    const auto c = some_command();
    v1::ClientMessage m;
    *m.mutable_floor() = c;
    const auto before = room_.snapshot(0, now_).SerializeAsString();
    auto fx = room_.handle(*conn_[who], m, now_);
    ASSERT_TRUE(fx.reply);
    if (staff_only(c) && !is_facilitator(role_of(who))) {
      ASSERT_TRUE(fx.reply->has_error());
      EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_PERMISSION_DENIED);
    }
    if (fx.reply->has_error()) {
      EXPECT_TRUE(fx.events.empty()) << "a refused command emitted events";
      EXPECT_EQ(room_.snapshot(0, now_).SerializeAsString(), before)
          << "a refused command changed the room";
    } else {
      ASSERT_TRUE(fx.reply->has_floor());
      EXPECT_EQ(fx.reply->floor().seq(), room_.head_seq());
    }
    observe(fx, who);
  }

  void observe(const effects& fx, std::optional<std::size_t> /*caller*/) {
    for (const auto& e : fx.events) {
      if (e.to.kind == audience_kind::room_stream) {
        EXPECT_EQ(e.event.seq(), ++seq_) << "gap in the room stream";
      }
      if (e.event.has_floor()) {
        ++seen_[e.event.floor().kind()];
      }
      if (e.event.has_member_moderation()) {
        ++moderation_seen_[e.event.member_moderation().floor_muted() ? "floor_muted"
                                                                     : "other_mute"];
      } else if (e.event.has_member_role_changed()) {
        ++moderation_seen_["role_changed"];
      } else if (e.event.has_room_locked()) {
        ++moderation_seen_["lock"];
      } else if (e.event.has_member_left() &&
                 e.event.member_left().reason() == v1::LEAVE_REASON_REMOVED) {
        ++moderation_seen_["removed"];
      }
      if (e.event.has_round_summary() || e.event.has_airtime()) {
        EXPECT_EQ(e.to.kind, audience_kind::direct);
        for (std::size_t i = 0; i < std::size(cast_list); ++i) {
          if (member_[i] == e.to.member) {
            EXPECT_TRUE(is_facilitator(role_of(i))) << "durations reached a non-facilitator";
          }
        }
      }
    }
  }

  std::map<v1::FloorChangeKind, int> seen_;
  std::map<std::string, int> moderation_seen_;
  std::mt19937_64 rng_;
  room room_;
  time_ms now_ = 1'000'000;
  std::uint32_t seq_ = 0;
  connection_id next_conn_ = 1;
  std::optional<connection_id> conn_[std::size(cast_list)];
  member_id member_[std::size(cast_list)] = {};
};

TEST(floor_random, rules_hold_after_every_step) {
  std::uint64_t first_seed = std::random_device{}();
  if (const char* fixed = std::getenv("HEARTH_TEST_SEED")) {
    first_seed = std::strtoull(fixed, nullptr, 10);
  }
  for (std::uint64_t seed = first_seed; seed < first_seed + 4; ++seed) {
    std::cout << "floor_random seed " << seed << " (HEARTH_TEST_SEED=" << seed << " replays it)"
              << std::endl;
    SCOPED_TRACE("seed " + std::to_string(seed));
    random_floor run(seed);
    run.run(7000);
    run.print_coverage();
    if (::testing::Test::HasFailure()) {
      return;
    }
    EXPECT_GE(run.kinds_seen(), 20U) << "the run missed most of the floor";
  }
}

}  // namespace
}  // namespace hearth::core::testing
