// Client replica: one batch in flight, a local queue, transforms against the
// server's commits, resend on reconnect.
#include "worksheets/replica.hpp"

#include "worksheets/codec.hpp"

namespace hearth::worksheets {

replica::replica(std::string client_id, std::uint32_t self, v1::WorksheetTemplate t, document d,
                 std::uint64_t version, std::string instance_id)
    : client_id_(std::move(client_id)),
      self_(self),
      template_(std::move(t)),
      instance_id_(std::move(instance_id)),
      confirmed_(d),
      view_(std::move(d)),
      version_(version) {}

std::optional<replica> replica::open(std::string client_id, std::uint32_t self,
                                     v1::WorksheetTemplate t,
                                     const v1::WorksheetDocument& snapshot) {
  auto d = document_from_wire(snapshot);
  if (!d) {
    return std::nullopt;
  }
  return replica(std::move(client_id), self, std::move(t), std::move(*d), snapshot.version(),
                 snapshot.instance_id());
}

replica::reset_result replica::reset(const v1::WorksheetDocument& snapshot) {
  if (snapshot.version() <= version_ || snapshot.instance_id() != instance_id_) {
    return reset_result::unchanged;
  }
  auto d = document_from_wire(snapshot);
  if (!d) {
    return reset_result::undecodable;
  }
  const bool dropped = !idle();
  in_flight_.reset();
  pending_.clear();
  confirmed_ = *d;
  view_ = std::move(*d);
  version_ = snapshot.version();
  return dropped ? reset_result::dropped_edits : reset_result::replaced;
}

error replica::edit(const op& o) {
  const auto e = apply_checked(view_, template_, o, self_);
  if (e == error::none) {
    pending_.push_back(o);
  }
  return e;
}

v1::WorksheetBatch replica::in_flight_batch() const {
  v1::WorksheetBatch b;
  b.set_instance_id(instance_id_);
  b.set_base_version(version_);
  b.set_client_id(client_id_);
  b.set_client_seq(in_flight_seq_);
  ops_to_wire(*in_flight_, b.mutable_ops());
  return b;
}

std::optional<v1::WorksheetBatch> replica::next_batch() {
  if (in_flight_ || pending_.empty()) {
    return std::nullopt;
  }
  in_flight_ = std::move(pending_);
  pending_.clear();
  in_flight_seq_ = next_seq_++;
  return in_flight_batch();
}

std::optional<v1::WorksheetBatch> replica::resend() const {
  if (!in_flight_) {
    return std::nullopt;
  }
  return in_flight_batch();
}

// Our batch is committed as `committed` (the server's transform of what we
// sent, equal to ours: both were transformed past the same commits).
void replica::settle(const ops& committed, std::uint32_t author, std::uint64_t version) {
  for (const auto& o : committed) {
    apply_committed(confirmed_, template_, o, author);
  }
  version_ = version;
  in_flight_.reset();
}

replica::outcome replica::receive(const v1::WorksheetCommit& c) {
  if (c.version() <= version_) {
    return outcome::stale;
  }
  if (c.version() != version_ + 1) {
    return outcome::gap;
  }
  auto committed = ops_from_wire(c.ops());
  if (!committed) {
    return outcome::gap;  // the server never sends this; reopen to recover
  }
  if (in_flight_ && c.client_id() == client_id_ && c.client_seq() == in_flight_seq_) {
    settle(*committed, c.author(), c.version());
    return outcome::own;
  }
  for (const auto& o : *committed) {
    apply_committed(confirmed_, template_, o, c.author());
  }
  // Our unsent work was written after everything we have; the commit was not.
  // Ours plays "left" (later in server order), as it will on the server.
  ops incoming = std::move(*committed);
  if (in_flight_) {
    auto [mine, theirs] = transform(std::move(*in_flight_), incoming);
    in_flight_ = std::move(mine);
    incoming = std::move(theirs);
  }
  auto [mine, theirs] = transform(std::move(pending_), incoming);
  pending_ = std::move(mine);
  for (const auto& o : theirs) {
    apply_committed(view_, template_, o, c.author());
  }
  version_ = c.version();
  return outcome::applied;
}

replica::outcome replica::receive(const v1::WorksheetAck& a) {
  if (!in_flight_ || a.client_id() != client_id_ || a.client_seq() != in_flight_seq_) {
    return outcome::stale;
  }
  if (a.error() != v1::WORKSHEET_ERROR_NONE) {
    // Queued edits were written on top of the refused ones: drop them too and
    // show the server's state again.
    in_flight_.reset();
    pending_.clear();
    view_ = confirmed_;
    return outcome::rejected;
  }
  if (a.version() <= version_) {
    return outcome::stale;
  }
  if (a.version() != version_ + 1) {
    return outcome::gap;
  }
  // The answer overtook the commit (a resubmission answered after the commit
  // was lost): what is in flight is exactly what the server committed.
  const ops mine = *in_flight_;
  settle(mine, self_, a.version());
  return outcome::own;
}

}  // namespace hearth::worksheets
