// The room of the worksheet tests: facilitator 1 ("f"), participants 2 ("pa")
// and 3 ("pb"), family member 4 ("fm", accompanying "pa"), observer 5 ("o").
// A small template in code, a fake store that commits (or fails) each
// worksheet write on demand, and each member's streams as they receive them,
// so that every test can check that no sheet reached someone outside its
// scope. Times are literal ms.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/room.hpp"
#include "worksheets/template_json.hpp"

namespace hearth::core::testing {

inline const char* const test_template = R"({
  "id": "practice", "version": 1, "title": "Practice", "purpose": "Tests.",
  "scope": "session",
  "fields": [
    {"id": "notes", "type": "long_text", "label": "Notes", "max_length": 100},
    {"id": "risk", "type": "scale", "label": "Risk"},
    {"id": "coach", "type": "short_text", "label": "Coach", "facilitator_only": true},
    {"id": "rows", "type": "list", "label": "Rows", "own_rows": true}
  ]
})";

class worksheet_fixture : public ::testing::Test {
 protected:
  explicit worksheet_fixture(room_limits limits = {}) : room_("r1", limits) {
    room_.use_templates(catalog());
    session_plan plan;
    plan.accompanies["fm"] = "pa";
    room_.configure(plan);
    join("f", v1::ROLE_FACILITATOR);
    join("pa", v1::ROLE_PARTICIPANT);
    join("pb", v1::ROLE_PARTICIPANT);
    join("fm", v1::ROLE_FAMILY_MEMBER);
    join("o", v1::ROLE_OBSERVER);
  }

  static std::shared_ptr<const worksheet_templates> catalog() {
    auto t = std::make_shared<worksheet_templates>();
    t->add(*worksheets::parse_template(test_template).value);
    return t;
  }

  static constexpr member_id f = 1, pa = 2, pb = 3, fm = 4, o = 5;

  void join(const std::string& subject, v1::Role role) {
    const connection_id conn = next_conn_++;
    identity who{subject, subject, "r1", role};
    auto fx = room_.join(conn, who, 0);
    ASSERT_TRUE(fx.reply && fx.reply->has_join());
    member_id id = fx.reply->join().member_id();
    if (fx.reply->join().has_lobby()) {
      v1::ClientMessage admit;
      admit.mutable_lobby()->mutable_admit()->set_waiting_id(fx.reply->join().lobby().waiting_id());
      admit.mutable_lobby()->mutable_admit()->set_attest_consent(true);
      auto admitted = room_.handle(conn_of_.at(f), admit, 0);
      ASSERT_EQ(admitted.admitted.size(), 1U);
      id = admitted.admitted[0].member;
    }
    conn_of_[id] = conn;
  }

  static v1::ClientMessage wrap(v1::WorksheetCommand c, std::uint32_t request_id = 7) {
    v1::ClientMessage m;
    m.set_request_id(request_id);
    *m.mutable_worksheet() = std::move(c);
    return m;
  }
  static v1::ClientMessage push(v1::WorksheetScope scope, const std::string& id = "practice") {
    v1::WorksheetCommand c;
    c.mutable_push()->set_template_id(id);
    c.mutable_push()->set_scope(scope);
    return wrap(c);
  }
  static v1::ClientMessage share(const std::string& instance, v1::WorksheetSharing sharing) {
    v1::WorksheetCommand c;
    c.mutable_share()->set_instance_id(instance);
    c.mutable_share()->set_sharing(sharing);
    return wrap(c);
  }
  static v1::ClientMessage presence(const std::string& instance, const std::string& field) {
    v1::WorksheetCommand c;
    c.mutable_presence()->set_instance_id(instance);
    c.mutable_presence()->set_field_id(field);
    return wrap(c);
  }
  // A batch of one op that inserts `text` at the start of a text field.
  static v1::ClientMessage write(const std::string& instance, const std::string& field,
                                 const std::string& text, std::uint64_t seq, std::uint64_t base = 0,
                                 const std::string& client = "c1") {
    v1::WorksheetCommand c;
    auto* b = c.mutable_submit();
    b->set_instance_id(instance);
    b->set_base_version(base);
    b->set_client_id(client);
    b->set_client_seq(seq);
    auto* op = b->add_ops();
    op->mutable_target()->set_field_id(field);
    op->mutable_text()->add_components()->set_insert(text);
    return wrap(c);
  }
  static v1::ClientMessage set_risk(const std::string& instance, std::int32_t v,
                                    std::uint64_t seq) {
    v1::WorksheetCommand c;
    auto* b = c.mutable_submit();
    b->set_instance_id(instance);
    b->set_client_id("c1");
    b->set_client_seq(seq);
    auto* op = b->add_ops();
    op->mutable_target()->set_field_id("risk");
    op->mutable_set()->set_scale(v);
    return wrap(c);
  }

  // Runs a command and records what each member receives.
  effects run(member_id who, const v1::ClientMessage& message, time_ms now) {
    auto fx = room_.handle(conn_of_.at(who), message, now);
    deliver(fx);
    return fx;
  }

  // The store commits (or fails) every worksheet write of `fx`, in order;
  // the effects of those commits.
  effects store(const effects& fx, bool committed = true, time_ms now = 0) {
    effects all;
    for (const auto& w : fx.worksheet_writes) {
      if (committed) {
        stored_.push_back(w);
      }
      auto done = room_.worksheet_stored(w.ticket, committed, now);
      deliver(done);
      for (auto& part : done.events) {
        all.events.push_back(std::move(part));
      }
      for (auto& part : done.replies) {
        all.replies.push_back(std::move(part));
      }
      for (auto& part : done.audit) {
        all.audit.push_back(std::move(part));
      }
      for (auto& part : done.worksheet_writes) {
        all.worksheet_writes.push_back(std::move(part));
      }
    }
    EXPECT_EQ(room_.check_invariants(), "");
    return all;
  }

  // Pushes and stores; the instance ids made.
  std::vector<std::string> pushed(v1::WorksheetScope scope) {
    auto fx = store(run(f, push(scope), 0));
    EXPECT_EQ(fx.replies.size(), 1U);
    std::vector<std::string> ids;
    for (const auto& id : fx.replies.at(0).reply.worksheet().instance_ids()) {
      ids.push_back(id);
    }
    return ids;
  }

  // Who received events naming `instance` (sequenced or not).
  std::vector<member_id> recipients(const effects& fx, const std::string& instance) const {
    std::vector<member_id> out;
    for (const auto& [m, events] : split(fx)) {
      for (const auto& e : events) {
        if (names(e, instance)) {
          out.push_back(m);
          break;
        }
      }
    }
    return out;
  }

  static bool names(const v1::Event& e, const std::string& instance) {
    switch (e.body_case()) {
      case v1::Event::kWorksheetOpened:
        return e.worksheet_opened().sheet().document().instance_id() == instance;
      case v1::Event::kWorksheetCommitted:
        return e.worksheet_committed().commit().instance_id() == instance;
      case v1::Event::kWorksheetSharing:
        return e.worksheet_sharing().instance_id() == instance;
      case v1::Event::kWorksheetPresence:
        return e.worksheet_presence().instance_id() == instance;
      case v1::Event::kWorksheetProgress:
        return e.worksheet_progress().instance_id() == instance;
      default:
        return false;
    }
  }

  // The events each member receives from `fx`.
  std::map<member_id, std::vector<v1::Event>> split(const effects& fx) const {
    std::map<member_id, std::vector<v1::Event>> out;
    for (const auto& e : fx.events) {
      if (e.to.kind == audience_kind::room_stream) {
        for (const member* m : room_.people().active_members()) {
          out[m->id].push_back(e.event);
        }
      } else if (e.to.kind != audience_kind::everyone_but) {
        out[e.to.member].push_back(e.event);
      }
    }
    return out;
  }

  void deliver(const effects& fx) {
    for (auto& [m, events] : split(fx)) {
      auto& log = received_[m];
      log.insert(log.end(), events.begin(), events.end());
    }
  }

  room room_;
  std::map<member_id, connection_id> conn_of_;
  connection_id next_conn_ = 100;
  std::map<member_id, std::vector<v1::Event>> received_;  // every stream, as delivered
  std::vector<worksheet_write> stored_;                   // what the fake store committed
};

}  // namespace hearth::core::testing
