// A room runner's admission side: loading the session's plan and bans before
// the first join, moving connections between the lobby and the room, and
// keeping bans durably. Runs on the room's strand like the rest of the runner.
#include <boost/asio/post.hpp>

#include "net/room_runner.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace hearth::net {
namespace asio = boost::asio;

void room_runner::when_loaded(std::function<void(bool loaded)> work) {
  if (plan_ == plan_state::loaded && queued_.empty()) {
    work(true);
    return;
  }
  queued_.push_back(std::move(work));
  if (plan_ == plan_state::unloaded) {
    load_plan();
  }
}

namespace {

core::observer_consent to_core(const store::consent_record& record) {
  return {record.method, record.granted_at, record.expires_at, record.revoked_at};
}

}  // namespace

void room_runner::load_plan() {
  plan_ = plan_state::loading;
  const bool queued = records_.read([self = shared_from_this()](store::store& db) {
    auto plan = std::make_shared<loaded_plan>();
    bool ok = true;
    try {
      plan->session = db.session(self->room_id_);
      plan->bans = db.bans(self->room_id_);
      plan->consents = db.consents(self->room_id_);
      plan->worksheets = db.worksheets(self->room_id_);
    } catch (const store::store_error& e) {
      ok = false;
      telemetry::log(telemetry::level::error, "session_plan_unavailable",
                     {{"kind", std::string_view(store::kind_name(e.which()))}});
    }
    self->post_to_room([self, plan, ok] { self->plan_loaded(*plan, ok); });
  });
  if (!queued) {
    plan_loaded({}, false);
  }
}

void room_runner::plan_loaded(const loaded_plan& loaded, bool ok) {
  auto waiting = std::move(queued_);
  queued_.clear();
  if (!ok) {
    // Without its bans the room must not open; the next join tries again.
    plan_ = plan_state::unloaded;
    for (auto& work : waiting) {
      work(false);
    }
    retire_if_empty();
    return;
  }
  core::session_plan plan;
  plan.policy = config_.default_lobby_policy;
  plan.admit_before_facilitator = config_.default_admit_before_facilitator;
  if (const auto& session = loaded.session) {
    plan.policy = core::lobby_policy_from(session->lobby_policy).value_or(plan.policy);
    plan.admit_before_facilitator = session->admit_before_facilitator;
    plan.chat_policy = core::chat_policy_from(session->chat_policy).value_or(plan.chat_policy);
    plan.keep_chat = session->keep_chat;
    for (const auto& entry : session->roster) {
      plan.roster.insert(entry.subject);
      if (!entry.accompanies.empty()) {
        plan.accompanies[entry.subject] = entry.accompanies;
      }
    }
  }
  room_.configure(std::move(plan));
  for (const auto& b : loaded.bans) {
    v1::Role role = v1::ROLE_UNSPECIFIED;
    for (int r = v1::Role_MIN; r <= v1::Role_MAX; ++r) {
      if (core::role_label(static_cast<v1::Role>(r)) == b.role) {
        role = static_cast<v1::Role>(r);
      }
    }
    room_.restore_ban(b.subject, b.display_name, role, b.at);
  }
  for (const auto& c : loaded.consents) {
    room_.restore_consent(c.subject, to_core(c));
  }
  restore_worksheets(loaded.worksheets);
  plan_ = plan_state::loaded;
  for (auto& work : waiting) {
    work(true);
  }
}

void room_runner::update_consent(store::consent_record record) {
  post_to_room([self = shared_from_this(), record = std::move(record)] {
    // A room still reading its plan applies it after (the read may predate it).
    self->when_loaded([self, record](bool loaded) {
      if (!loaded || self->retired_) {
        return;  // the next opening reads it from the store
      }
      auto fx = self->room_.update_consent(record.subject, to_core(record), self->clock_.now());
      self->apply(fx, nullptr, 0);
      self->retire_if_empty();
    });
  });
}

void room_runner::record(const core::consent_change& change) {
  if (!records_.submit(store::consent_put{room_id_, change.subject, "attested", change.recorded_by,
                                          change.granted_at, std::nullopt})) {
    telemetry::global_metrics().store_refused.fetch_add(1);
    telemetry::log(telemetry::level::error, "consent_not_recorded",
                   {{"reason", std::string_view("store queue full")}});
  }
}

std::shared_ptr<connection> room_runner::take(core::connection_id id) {
  in_breakout_.erase(id);
  if (auto it = joined_.find(id); it != joined_.end()) {
    auto conn = std::move(it->second);
    joined_.erase(it);
    return conn;
  }
  if (auto it = waiting_.find(id); it != waiting_.end()) {
    auto conn = std::move(it->second);
    waiting_.erase(it);
    return conn;
  }
  return nullptr;
}

void room_runner::admit(const core::admission& admission) {
  auto it = waiting_.find(admission.connection);
  if (it == waiting_.end()) {
    return;
  }
  auto conn = std::move(it->second);
  waiting_.erase(it);
  v1::ServerMessage message;
  auto* join = message.mutable_admitted()->mutable_join();
  join->set_room_id(room_id_);
  join->set_epoch(epoch_);
  join->set_head_seq(room_.head_seq());  // admitted people enter the main room
  join->set_direct_head_seq(room_.direct_head(admission.member));
  join->set_member_id(admission.member);
  join->set_recovered(false);
  *join->mutable_snapshot() = room_.snapshot(admission.member, clock_.now());
  conn->deliver(wire::encode(message));
  const auto id = conn->id();
  joined_.put(id, std::move(conn));
}

// A ban is acknowledged once it is durable: the reply waits for its commit.
void room_runner::record_bans(const core::effects& fx, const std::shared_ptr<connection>& caller,
                              std::optional<v1::Reply>& reply, std::uint32_t request_id) {
  std::optional<v1::Reply> answer;
  answer.swap(reply);  // the reply waits for the commit
  for (std::size_t i = 0; i < fx.bans.size(); ++i) {
    const auto& change = fx.bans[i];
    store::write w = store::ban_lift{room_id_, change.subject};
    if (!change.lifted) {
      w = store::ban_put{
          room_id_,  change.subject, change.display_name, core::role_label(change.role),
          change.by, change.at};
    }
    store::store_writer::completion done;
    if (i + 1 == fx.bans.size() && answer && caller) {
      done = [self = shared_from_this(), caller, answer = *answer, request_id](bool committed) {
        self->post_to_room([self, caller, answer, request_id, committed]() mutable {
          if (!committed) {
            answer = core::error_reply(
                v1::ERROR_CODE_INTERNAL,
                "the ban holds in this room now but could not be recorded; it will not survive "
                "a restart");
          }
          self->send_reply(caller, std::move(answer), request_id);
        });
      };
    }
    const bool last = static_cast<bool>(done);
    if (!records_.submit(std::move(w), std::move(done))) {
      telemetry::global_metrics().store_refused.fetch_add(1);
      telemetry::log(telemetry::level::error, "ban_not_recorded",
                     {{"reason", std::string_view("store queue full")}});
      if (last) {
        send_reply(caller,
                   core::error_reply(v1::ERROR_CODE_INTERNAL,
                                     "the ban holds in this room now but could not be recorded"),
                   request_id);
      }
    }
  }
}

}  // namespace hearth::net
