// The simulation's shell, store and driver (worksheet_sim.hpp).
#include "worksheet_sim.hpp"

#include <gtest/gtest.h>

#include "worksheets/codec.hpp"
#include "worksheets/template_json.hpp"

namespace hearth::core::testing {
namespace {

namespace ws = hearth::worksheets;

// The property tests' template (every field type) with a facilitator-only
// field and a list whose rows only their author edits in a family sheet, so
// that refusals after transformation happen too.
const char* const sim_template = R"({"id":"sim","version":1,"title":"Sim","scope":"session",
  "fields":[{"id":"notes","type":"long_text","label":"Notes"},
            {"id":"title","type":"short_text","label":"Title","facilitator_only":true},
            {"id":"level","type":"scale","label":"Level"},
            {"id":"done","type":"checkbox","label":"Done"},
            {"id":"when","type":"date","label":"When"},
            {"id":"mood","type":"choice","label":"Mood","choices":[
              {"id":"a","label":"A"},{"id":"b","label":"B"},{"id":"c","label":"C"}]},
            {"id":"items","type":"list","label":"Items","max_items":500,"own_rows":true,
             "item_fields":[{"id":"text","type":"short_text","label":"Text","max_length":1000},
                            {"id":"score","type":"scale","label":"Score"}]}]})";

const v1::Role roles[] = {v1::ROLE_FACILITATOR, v1::ROLE_PARTICIPANT, v1::ROLE_PARTICIPANT,
                          v1::ROLE_FAMILY_MEMBER};  // of sim_subjects

template <typename Queue>
void bound(Queue& q, std::size_t most) {
  while (q.size() > most) {
    q.pop_front();
  }
}

// Every event of `h` after `last` up to `head`, or nothing when `h` no longer
// holds them all.
template <typename Seq>
std::optional<std::vector<v1::Event>> after(const std::deque<v1::Event>& h, std::uint32_t last,
                                            std::uint32_t head, Seq seq) {
  std::vector<v1::Event> out;
  if (last == head) {
    return out;
  }
  if (h.empty() || seq(h.front()) > last + 1 || seq(h.back()) != head) {
    return std::nullopt;
  }
  for (const auto& e : h) {
    if (seq(e) > last) {
      out.push_back(e);
    }
  }
  return out;
}

}  // namespace

worksheet_sim::worksheet_sim(std::uint64_t seed, sim_settings settings)
    : rng_(seed, "sim"), settings_(settings), room_("r1", sim_limits(settings)) {
  auto templates = std::make_shared<worksheet_templates>();
  templates->add(*ws::parse_template(sim_template).value);
  templates_ = templates;
  room_.use_templates(templates_);
  room_.configure(sim_plan());
  for (std::uint32_t i = 0; i < 4; ++i) {
    client c;
    c.who = identity{sim_subjects[i], sim_subjects[i], "r1", roles[i]};
    c.client_id = std::string("k-") + sim_subjects[i];
    clients_.push_back(std::move(c));
    edits_.emplace_back(seed * 31 + i, std::string(sim_subjects[i]) + "-");
  }
  join_all();
  push(v1::WORKSHEET_SCOPE_SESSION);
  push(v1::WORKSHEET_SCOPE_FAMILY);
}

void worksheet_sim::join_all() {
  for (auto& c : clients_) {
    reconnect(c);
  }
}

void worksheet_sim::push(v1::WorksheetScope scope) {
  client& f = clients_[0];
  v1::ClientMessage m;
  m.set_request_id(f.next_request++);
  m.mutable_worksheet()->mutable_push()->set_template_id("sim");
  m.mutable_worksheet()->mutable_push()->set_scope(scope);
  f.up.push_back(m);
  deliver_up(f);
  store(store_queue_.size(), true);
  for (auto& c : clients_) {
    while (!c.down.empty()) {
      deliver_down(c);
    }
  }
}

worksheet_sim::client* worksheet_sim::client_on(connection_id conn) {
  for (auto& c : clients_) {
    if (c.conn == conn) {
      return &c;
    }
  }
  return nullptr;  // a connection that dropped: what was sent to it is lost
}

void worksheet_sim::deliver(connection_id conn, v1::ServerMessage m) {
  if (client* c = client_on(conn)) {
    c->down.push_back(std::move(m));
  }
}

void worksheet_sim::route(effects fx, std::optional<connection_id> caller,
                          std::uint32_t request_id) {
  for (auto& e : fx.events) {
    v1::ServerMessage m;
    *m.mutable_event() = e.event;
    if (e.to.kind == audience_kind::room_stream) {
      ASSERT_EQ(e.to.place, 0U);
      history_.push_back(e.event);
      bound(history_, settings_.history_events);
      for (auto& c : clients_) {
        if (c.conn) {
          c.down.push_back(m);
        }
      }
    } else if (e.to.kind == audience_kind::direct) {
      auto& h = direct_[e.to.member];
      h.push_back(e.event);
      bound(h, settings_.history_events);
      for (auto& c : clients_) {
        if (c.conn && c.id == e.to.member) {
          c.down.push_back(m);
        }
      }
    }
    // Ephemeral events (presence, typing) are neither kept nor needed here.
  }
  if (fx.reply && caller) {
    v1::ServerMessage m;
    *m.mutable_reply() = std::move(*fx.reply);
    m.mutable_reply()->set_request_id(request_id);
    deliver(*caller, std::move(m));
  }
  for (auto& r : fx.replies) {
    v1::ServerMessage m;
    *m.mutable_reply() = std::move(r.reply);
    m.mutable_reply()->set_request_id(r.request_id);
    deliver(r.connection, std::move(m));
  }
  for (auto& w : fx.worksheet_writes) {
    store_queue_.push_back(std::move(w));
  }
  EXPECT_TRUE(fx.closes.empty());
  EXPECT_EQ(room_.check_invariants(), "");
}

void worksheet_sim::store(std::size_t group, bool committed) {
  // One transaction: every write of the group is durable, or none is.
  std::vector<worksheet_write> batch;
  for (; group > 0 && !store_queue_.empty(); --group) {
    batch.push_back(std::move(store_queue_.front()));
    store_queue_.pop_front();
  }
  for (auto& w : batch) {
    if (committed) {
      for (const auto& created : w.created) {
        stored_[created.instance_id].created = created;
      }
      if (w.commit) {
        stored_.at(w.commit->instance_id()).log.emplace_back(w.author_subject, *w.commit);
        ++counts_.commits;
      }
    } else {
      counts_.store_failures += w.commit ? 1U : 0U;
    }
    route(room_.worksheet_stored(w.ticket, committed, now_), std::nullopt, 0);
  }
}

void worksheet_sim::disconnect(client& c) {
  const auto conn = *c.conn;
  c.conn.reset();
  c.up.clear();  // what was on the wire is lost both ways
  c.down.clear();
  c.submits.clear();
  route(room_.disconnect(conn, now_), std::nullopt, 0);
}

void worksheet_sim::reconnect(client& c) {
  const connection_id conn = next_conn_++;
  c.last_resume.clear();
  if (c.id != 0 && room_.people().find(c.id)->presence == v1::PRESENCE_LEFT) {
    ++counts_.grace_expired;
    c.last_resume = "returned ";
  }
  auto fx = room_.join(conn, c.who, now_);
  auto reply = std::move(fx.reply);
  fx.reply.reset();
  const bool fresh_start = fx.fresh_start;
  // The join's own events reach those already here; the joiner learns from
  // its replay or snapshot.
  route(std::move(fx), std::nullopt, 0);
  ASSERT_TRUE(reply && reply->has_join() && !reply->join().has_lobby());
  const auto& joined = reply->join();
  c.id = joined.member_id();
  c.conn = conn;
  auto room_part =
      after(history_, c.last_seq, joined.head_seq(), [](const v1::Event& e) { return e.seq(); });
  auto direct_part = after(direct_[c.id], c.last_direct, joined.direct_head_seq(),
                           [](const v1::Event& e) { return e.direct_seq(); });
  if (!fresh_start && room_part && direct_part) {
    ++counts_.replays;
    c.last_resume += "replay";
    for (auto* part : {&*room_part, &*direct_part}) {
      for (auto& e : *part) {
        v1::ServerMessage m;
        *m.mutable_event() = std::move(e);
        c.down.push_back(std::move(m));
      }
    }
  } else {
    ++counts_.snapshots;
    c.last_resume += "snapshot";
    resume_from_snapshot(c, room_.snapshot(c.id, now_));
    c.last_seq = joined.head_seq();
    c.last_direct = joined.direct_head_seq();
  }
  resend_in_flight(c);
}

void worksheet_sim::tick(time_ms by) {
  now_ += by;
  if (const auto wake = room_.next_wake(); wake && *wake <= now_) {
    route(room_.wake(now_), std::nullopt, 0);
  }
}

void worksheet_sim::step() {
  // Now and then a pause longer than the reconnect grace: whoever is
  // disconnected leaves the room and comes back as a returning member.
  tick(rng_.below(1500) == 0 ? settings_.grace + 1000 : static_cast<time_ms>(rng_.below(40)));
  const std::size_t index = rng_.below(clients_.size());
  client& c = clients_[index];
  switch (rng_.below(18)) {
    case 0:
    case 1:
    case 2:
    case 3: {
      // Typing goes on while disconnected; it waits in the replica.
      if (c.sheets.empty()) {
        break;
      }
      auto it = std::next(c.sheets.begin(), static_cast<long>(rng_.below(c.sheets.size())));
      if (auto o = edits_[index].any(it->second.view())) {
        it->second.edit(*o);  // a refused local edit (over a limit) changes nothing
      }
      break;
    }
    case 4:
    case 5:
      if (c.conn) {
        send_batches(c);
      }
      break;
    case 6:
    case 7:
    case 8:
      if (c.conn && !c.up.empty()) {
        deliver_up(c);
      }
      break;
    case 9:
    case 10:
    case 11:
    case 15:
      if (c.conn && !c.down.empty()) {
        deliver_down(c);
      }
      break;
    case 12:
    case 13:
      store(1 + rng_.below(4), rng_.below(15) != 0);
      break;
    case 14:
      if (c.conn && rng_.below(3) == 0) {
        disconnect(c);
      } else if (c.conn) {
        resend_in_flight(c);  // a duplicate submit
      }
      break;
    default:
      if (!c.conn) {
        reconnect(c);
      }
      break;
  }
}

bool worksheet_sim::quiet() const {
  if (!store_queue_.empty()) {
    return false;
  }
  for (const auto& c : clients_) {
    if (!c.up.empty() || !c.down.empty()) {
      return false;
    }
    for (const auto& [id, rep] : c.sheets) {
      if (!rep.idle()) {
        return false;
      }
    }
  }
  return true;
}

void worksheet_sim::settle() {
  for (auto& c : clients_) {
    if (!c.conn) {
      reconnect(c);
    }
  }
  for (int round = 0; round < 1000 && !quiet(); ++round) {
    for (auto& c : clients_) {
      send_batches(c);
      while (!c.up.empty()) {
        deliver_up(c);
      }
    }
    store(store_queue_.size(), true);
    for (auto& c : clients_) {
      while (!c.down.empty()) {
        deliver_down(c);
        if (::testing::Test::HasFatalFailure()) {
          return;
        }
      }
    }
  }
  std::string busy;
  for (const auto& c : clients_) {
    for (const auto& [id, rep] : c.sheets) {
      if (!rep.idle()) {
        busy += " " + c.who.subject + ":" + id + "@" + std::to_string(rep.version());
        if (auto b = rep.resend()) {
          busy += " seq " + std::to_string(b->client_seq());
        }
      }
    }
  }
  ASSERT_TRUE(quiet()) << "no quiescence; busy:" << busy;
}

}  // namespace hearth::core::testing
