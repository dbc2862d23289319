// The simulation's clients: the library's replica behind a connection
// (worksheet_sim.hpp).
#include "worksheet_sim.hpp"

#include <gtest/gtest.h>

#include "worksheets/codec.hpp"

namespace hearth::core::testing {

namespace ws = hearth::worksheets;

void worksheet_sim::submit(client& c, const std::string& instance, v1::WorksheetBatch batch) {
  v1::ClientMessage m;
  m.set_request_id(c.next_request++);
  c.submits[m.request_id()] = {instance, batch.client_seq()};
  *m.mutable_worksheet()->mutable_submit() = std::move(batch);
  c.up.push_back(std::move(m));
}

void worksheet_sim::send_batches(client& c) {
  for (auto& [id, rep] : c.sheets) {
    if (auto b = rep.next_batch()) {
      submit(c, id, std::move(*b));
    }
  }
}

// After a reconnect, and again when a batch was not stored: the batch in
// flight goes out again with the same client_seq.
void worksheet_sim::resend_in_flight(client& c) {
  for (auto& [id, rep] : c.sheets) {
    if (auto b = rep.resend()) {
      submit(c, id, std::move(*b));
    }
  }
}

void worksheet_sim::deliver_up(client& c) {
  auto m = std::move(c.up.front());
  c.up.pop_front();
  route(room_.handle(*c.conn, m, now_), c.conn, m.request_id());
}

void worksheet_sim::deliver_down(client& c) {
  auto m = std::move(c.down.front());
  c.down.pop_front();
  if (m.has_event()) {
    receive_event(c, m.event());
  } else if (m.has_reply()) {
    receive_reply(c, m.reply());
  }
}

void worksheet_sim::receive_event(client& c, const v1::Event& e) {
  // Each stream arrives in order, without gaps, on every connection.
  if (e.seq() != 0) {
    ASSERT_EQ(e.seq(), c.last_seq + 1) << c.who.subject;
    c.last_seq = e.seq();
  }
  if (e.direct_seq() != 0) {
    ASSERT_EQ(e.direct_seq(), c.last_direct + 1) << c.who.subject;
    c.last_direct = e.direct_seq();
  }
  if (e.has_worksheet_opened()) {
    const auto& sheet = e.worksheet_opened().sheet();
    ASSERT_TRUE(sim_reads(c.who.subject, sheet.document())) << c.who.subject;
    if (c.sheets.count(sheet.document().instance_id()) == 0) {
      open_replica(c, sheet);
    }
  } else if (e.has_worksheet_committed()) {
    const auto& commit = e.worksheet_committed().commit();
    auto it = c.sheets.find(commit.instance_id());
    ASSERT_NE(it, c.sheets.end()) << c.who.subject << " got a commit of a sheet it never saw";
    const auto had = it->second.version();
    const auto out = it->second.receive(commit);
    ASSERT_NE(out, ws::replica::outcome::gap)
        << c.who.subject << " " << commit.instance_id() << " got version " << commit.version()
        << " at " << had << "; last resume: " << c.last_resume;
    if (out == ws::replica::outcome::own) {
      acknowledged_.insert({commit.instance_id(), commit.client_id(), commit.client_seq()});
    }
    counts_.merged_while_busy += out == ws::replica::outcome::applied && !it->second.idle();
  }
}

void worksheet_sim::receive_reply(client& c, const v1::Reply& r) {
  const auto sent = c.submits.find(r.request_id());
  if (sent == c.submits.end()) {
    return;
  }
  const auto [instance, seq] = sent->second;
  c.submits.erase(sent);
  auto it = c.sheets.find(instance);
  if (it == c.sheets.end()) {
    return;
  }
  auto& rep = it->second;
  if (r.has_worksheet()) {
    const auto& ack = r.worksheet().ack();
    const std::tuple<std::string, std::string, std::uint64_t> key{instance, ack.client_id(),
                                                                  ack.client_seq()};
    counts_.resubmissions +=
        ack.error() == v1::WORKSHEET_ERROR_NONE && acknowledged_.count(key) != 0 ? 1U : 0U;
    const auto out = rep.receive(ack);
    ASSERT_NE(out, ws::replica::outcome::gap) << c.who.subject;
    if (out == ws::replica::outcome::own) {
      acknowledged_.insert(key);
    }
    counts_.refused += out == ws::replica::outcome::rejected ? 1U : 0U;
    return;
  }
  ASSERT_TRUE(r.has_error());
  const auto code = r.error().code();
  ASSERT_TRUE(code == v1::ERROR_CODE_INTERNAL || code == v1::ERROR_CODE_TOO_MANY_REQUESTS)
      << v1::ErrorCode_Name(code) << " " << r.error().message();
  ASSERT_TRUE(r.error().temporary());
  counts_.busy += code == v1::ERROR_CODE_TOO_MANY_REQUESTS ? 1U : 0U;
  // Not stored, or not taken: the same batch again, if it is still the one in flight.
  if (auto b = rep.resend(); b && b->client_seq() == seq) {
    submit(c, instance, std::move(*b));
  }
}

void worksheet_sim::resume_from_snapshot(client& c, const v1::RoomSnapshot& snap) {
  auto before = std::move(c.sheets);
  c.sheets.clear();
  for (const auto& sheet : snap.worksheets()) {
    const auto& doc = sheet.document();
    ASSERT_TRUE(sim_reads(c.who.subject, doc)) << c.who.subject;
    auto kept = before.find(doc.instance_id());
    if (kept == before.end()) {
      open_replica(c, sheet);
      continue;
    }
    const auto result = kept->second.reset(doc);
    ASSERT_NE(result, ws::replica::reset_result::undecodable);
    counts_.dropped_edits += result == ws::replica::reset_result::dropped_edits ? 1U : 0U;
    c.sheets.emplace(doc.instance_id(), std::move(kept->second));
  }
}

void worksheet_sim::open_replica(client& c, const v1::WorksheetSheet& sheet) {
  auto rep = ws::replica::open(c.client_id, c.id, sheet.form(), sheet.document());
  ASSERT_TRUE(rep);
  c.sheets.insert_or_assign(sheet.document().instance_id(), std::move(*rep));
}

}  // namespace hearth::core::testing
