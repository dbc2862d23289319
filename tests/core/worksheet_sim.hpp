// A whole-system worksheet simulation against the real room core. A small
// shell stands in for the network one: it routes each effect to the
// connections of its audience (each connection keeps its order, as a
// WebSocket does), keeps bounded replay histories of the room stream and of
// every direct stream, resumes a reconnecting client by replay when the
// histories cover its position and with a snapshot otherwise (the network
// shell's rule), and holds every worksheet write until a simulated store
// commits (or fails) it, in order and in groups. Clients use the library's
// replica, as the terminal client and the load generator do; after a
// snapshot they reset their replicas (replica::reset).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/room.hpp"
#include "random_ops.hpp"
#include "worksheets/replica.hpp"

namespace hearth::core::testing {

// How much a run exercised, summed over runs.
struct sim_counts {
  std::uint64_t commits = 0;
  std::uint64_t resubmissions = 0;      // answered with an earlier version, not applied
  std::uint64_t refused = 0;            // batches refused after transformation
  std::uint64_t store_failures = 0;     // writes the store failed (answered 100, resent)
  std::uint64_t busy = 0;               // batches refused because the sheet's queue was full
  std::uint64_t replays = 0;            // reconnects resumed by replay
  std::uint64_t snapshots = 0;          // reconnects resumed with a snapshot
  std::uint64_t dropped_edits = 0;      // replicas rebuilt from a snapshot with unsent edits
  std::uint64_t grace_expired = 0;      // members who left while disconnected, then returned
  std::uint64_t merged_while_busy = 0;  // commits merged under edits not yet committed
  void add(const sim_counts& o);
};

// The simulation's people, in join order: a facilitator, two participants
// and a family member who accompanies "pa".
inline const char* const sim_subjects[] = {"f", "pa", "pb", "fm"};

struct sim_settings;
room_limits sim_limits(const sim_settings& s);
session_plan sim_plan();
// Whether `subject` may read the sheet `d`: session sheets everyone, the
// family sheet (pa's family) the facilitator, pa and fm.
bool sim_reads(const std::string& subject, const v1::WorksheetDocument& d);

struct sim_settings {
  std::size_t history_events = 1000;  // per stream; small values force snapshots
  std::uint32_t queue_limit = 64;     // room_limits::max_worksheet_queue
  time_ms grace = 15'000;             // room_limits::reconnect_grace
};

class worksheet_sim {
 public:
  worksheet_sim(std::uint64_t seed, sim_settings settings);

  // One random action: an edit, a send, a delivery either way, a store
  // commit or failure, a disconnect, a reconnect, a duplicate submit; time
  // moves on and the room's timers run.
  void step();
  // Everyone reconnects and every queue runs dry with a store that commits.
  void settle();
  // gtest assertions: replicas equal the server, the stored log is
  // contiguous, commits each (author, client_id, client_seq) once, replays
  // to the server's document, and a room restored from it holds the same.
  void check() const;

  const sim_counts& counts() const { return counts_; }

 private:
  struct client {
    identity who;
    member_id id = 0;
    std::optional<connection_id> conn;
    std::deque<v1::ClientMessage> up;                   // on the wire to the server
    std::deque<v1::ServerMessage> down;                 // on the wire to the client
    std::uint32_t last_seq = 0;                         // room stream
    std::uint32_t last_direct = 0;                      // direct stream
    std::map<std::string, worksheets::replica> sheets;  // by instance id
    // Submits sent: request id -> (instance, client_seq).
    std::map<std::uint32_t, std::pair<std::string, std::uint64_t>> submits;
    std::uint32_t next_request = 1;
    std::string last_resume;  // how it last came back, for failure messages
    std::string client_id;    // one per client life, as the browser's per page load
  };

  void join_all();
  void push(v1::WorksheetScope scope);
  void route(effects fx, std::optional<connection_id> caller, std::uint32_t request_id);
  void deliver(connection_id conn, v1::ServerMessage m);
  client* client_on(connection_id conn);
  void submit(client& c, const std::string& instance, v1::WorksheetBatch batch);
  void send_batches(client& c);
  void deliver_up(client& c);
  void deliver_down(client& c);
  void receive_event(client& c, const v1::Event& e);
  void receive_reply(client& c, const v1::Reply& r);
  void store(std::size_t group, bool committed);
  void disconnect(client& c);
  void reconnect(client& c);
  void resume_from_snapshot(client& c, const v1::RoomSnapshot& snap);
  void open_replica(client& c, const v1::WorksheetSheet& sheet);
  void resend_in_flight(client& c);
  void tick(time_ms by);
  bool quiet() const;

  worksheets::testing::random_ops rng_;
  sim_settings settings_;
  std::shared_ptr<const worksheet_templates> templates_;
  room room_;
  time_ms now_ = 0;
  connection_id next_conn_ = 100;
  std::vector<client> clients_;
  std::vector<worksheets::testing::random_ops> edits_;  // one generator per client
  std::deque<v1::Event> history_;                       // the room stream's last events
  std::map<member_id, std::deque<v1::Event>> direct_;   // each direct stream's last events
  std::deque<worksheet_write> store_queue_;
  std::map<std::string, stored_worksheet> stored_;  // what the store holds, by instance
  // (instance, client_id, client_seq) of every batch a client saw committed as its own.
  std::set<std::tuple<std::string, std::string, std::uint64_t>> acknowledged_;
  sim_counts counts_;
};

}  // namespace hearth::core::testing
