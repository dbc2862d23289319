// The client's side of worksheet co-editing (docs/worksheets.md, "Client"):
// a replica of one instance that applies local edits at once, keeps at most
// one batch in flight and queues the rest, transforms what waits against
// commits from the server, and resends the batch in flight after a
// reconnect. Pure (no sockets): the terminal client, tests and other shells
// drive it with the messages they send and receive. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hearth/v1/worksheet.pb.h"
#include "worksheets/document.hpp"
#include "worksheets/ops.hpp"

namespace hearth::worksheets {

class replica {
 public:
  // `client_id` must be unique per client of this instance and kept across
  // reconnects (a random id made once per open sheet is enough); `self` is
  // the member id the server knows this client by. `snapshot` comes from the
  // server; nothing when it does not decode.
  static std::optional<replica> open(std::string client_id, std::uint32_t self,
                                     v1::WorksheetTemplate t,
                                     const v1::WorksheetDocument& snapshot);

  // A local edit: checked against the template (types, ranges, limits; the
  // server decides authorization) and applied to view() at once, then queued.
  // On an error nothing changes.
  error edit(const op& o);

  // The next batch to send, when none is in flight and edits are queued. The
  // batch stays in flight until its commit or its answer arrives.
  std::optional<v1::WorksheetBatch> next_batch();

  // After a reconnect: first ask the server for the commits after version(),
  // then send this at once (the batch in flight, same client_seq, rebased on
  // version()). The server answers a batch it already committed with its
  // original version and applies it only once.
  std::optional<v1::WorksheetBatch> resend() const;

  // A snapshot of the sheet, after a resume that could not replay. At this
  // replica's version nothing changes (what is in flight is resent as after
  // any reconnect). A newer snapshot replaces the document and drops the
  // edits not yet committed: the commits in between are not in a snapshot,
  // so those edits cannot be rebased. A batch already sent may still be
  // committed; it then arrives as a commit like anyone else's. client_seq
  // goes on from where it was, so the server never takes a new batch for
  // an earlier one.
  enum class reset_result : std::uint8_t { unchanged, replaced, dropped_edits, undecodable };
  reset_result reset(const v1::WorksheetDocument& snapshot);

  enum class outcome : std::uint8_t {
    applied,   // another client's commit, merged into view()
    own,       // this client's batch in flight is committed
    rejected,  // the batch in flight was refused: queued edits are dropped too
    stale,     // already seen, or an answer to an earlier batch: ignored
    gap,       // versions were missed: resume from version() (or reopen)
  };
  outcome receive(const v1::WorksheetCommit& c);
  outcome receive(const v1::WorksheetAck& a);

  std::uint64_t version() const { return version_; }
  const document& view() const { return view_; }            // what the user sees
  const document& confirmed() const { return confirmed_; }  // the server's state at version()
  bool idle() const { return !in_flight_ && pending_.empty(); }
  const std::string& client_id() const { return client_id_; }

 private:
  replica(std::string client_id, std::uint32_t self, v1::WorksheetTemplate t, document d,
          std::uint64_t version, std::string instance_id);
  v1::WorksheetBatch in_flight_batch() const;
  void settle(const ops& committed, std::uint32_t author, std::uint64_t version);

  std::string client_id_;
  std::uint32_t self_ = 0;
  v1::WorksheetTemplate template_;
  std::string instance_id_;
  document confirmed_;  // the server's document at version_
  document view_;       // confirmed_ + in flight + pending
  std::uint64_t version_ = 0;
  std::uint64_t next_seq_ = 1;
  std::optional<ops> in_flight_;
  std::uint64_t in_flight_seq_ = 0;
  ops pending_;
};

}  // namespace hearth::worksheets
