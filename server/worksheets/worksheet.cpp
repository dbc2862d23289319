// The server's side of worksheet co-editing (docs/worksheets.md, "Server").
#include "worksheets/worksheet.hpp"

#include "worksheets/codec.hpp"

namespace hearth::worksheets {

worksheet::worksheet(std::string instance_id, v1::WorksheetTemplate t, sheet s,
                     worksheet_limits limits)
    : instance_id_(std::move(instance_id)),
      template_(std::move(t)),
      sheet_(std::move(s)),
      limits_(limits),
      doc_(empty_document(template_)) {}

v1::WorksheetAck worksheet::answer(const v1::WorksheetBatch& batch, std::uint64_t version,
                                   error e) const {
  v1::WorksheetAck ack;
  ack.set_instance_id(instance_id_);
  ack.set_client_id(batch.client_id());
  ack.set_client_seq(batch.client_seq());
  ack.set_version(version);
  ack.set_error(static_cast<v1::WorksheetError>(e));
  return ack;
}

worksheet::submitted worksheet::submit(const v1::WorksheetBatch& batch, const writer& w) {
  auto result = propose(batch, w);
  if (result.commit && !accept(*result.commit)) {
    return {answer(batch, 0, error::malformed), std::nullopt};  // never: propose checked it
  }
  return result;
}

bool worksheet::accept(const v1::WorksheetCommit& c) {
  auto changes = ops_from_wire(c.ops());
  if (!changes || c.version() != version() + 1 || c.instance_id() != instance_id_) {
    return false;
  }
  document next = doc_;
  for (const auto& o : *changes) {
    if (!apply_committed(next, template_, o, c.author())) {
      return false;
    }
  }
  doc_ = std::move(next);
  log_.push_back({c.author(), c.client_id(), c.client_seq(), std::move(*changes)});
  remember({c.author(), c.client_id()}, c.client_seq(), c.version());
  return true;
}

worksheet::submitted worksheet::propose(const v1::WorksheetBatch& batch, const writer& w) const {
  if (batch.instance_id() != instance_id_ || batch.client_id().empty() ||
      batch.client_id().size() > 64) {
    return {answer(batch, 0, error::malformed), std::nullopt};
  }
  // Resubmissions first: a batch resent after a reconnect may carry a stale
  // base version, and it must be answered, not refused.
  const client_key key{w.member, batch.client_id()};
  if (const auto seen = committed_.find(key); seen != committed_.end()) {
    const auto& seqs = seen->second;
    if (const auto hit = seqs.find(batch.client_seq()); hit != seqs.end()) {
      return {answer(batch, hit->second, error::none), std::nullopt};
    }
    if (batch.client_seq() < seqs.begin()->first) {
      return {answer(batch, 0, error::too_old), std::nullopt};
    }
  }
  if (batch.base_version() > version()) {
    return {answer(batch, 0, error::bad_version), std::nullopt};
  }
  auto incoming = ops_from_wire(batch.ops());
  if (!incoming || incoming->size() > limits_.max_ops_per_batch) {
    return {answer(batch, 0, error::malformed), std::nullopt};
  }
  // One commit at a time, in version order: transforming against a composed
  // history is not equivalent.
  ops changes = std::move(*incoming);
  for (auto v = batch.base_version(); v < version(); ++v) {
    changes = transform(std::move(changes), log_[v].changes).first;
  }
  document next = doc_;
  for (const auto& o : changes) {
    auto e = may_write(template_, sheet_, next, w, o);
    if (e == error::none) {
      e = apply_checked(next, template_, o, w.member);
    }
    if (e != error::none) {
      return {answer(batch, 0, e), std::nullopt};
    }
  }
  v1::WorksheetCommit c;
  c.set_instance_id(instance_id_);
  c.set_version(version() + 1);
  c.set_author(w.member);
  c.set_client_id(batch.client_id());
  c.set_client_seq(batch.client_seq());
  ops_to_wire(changes, c.mutable_ops());
  return {answer(batch, version() + 1, error::none), std::move(c)};
}

void worksheet::remember(const client_key& key, std::uint64_t seq, std::uint64_t version) {
  auto& seqs = committed_[key];
  seqs[seq] = version;
  while (seqs.size() > limits_.remembered_seqs) {
    seqs.erase(seqs.begin());
  }
}

v1::WorksheetCommit worksheet::to_commit(std::uint64_t version) const {
  const auto& e = log_[version - 1];
  v1::WorksheetCommit c;
  c.set_instance_id(instance_id_);
  c.set_version(version);
  c.set_author(e.author);
  c.set_client_id(e.client_id);
  c.set_client_seq(e.client_seq);
  ops_to_wire(e.changes, c.mutable_ops());
  return c;
}

std::vector<v1::WorksheetCommit> worksheet::commits_since(std::uint64_t version) const {
  std::vector<v1::WorksheetCommit> out;
  for (auto v = version + 1; v <= this->version(); ++v) {
    out.push_back(to_commit(v));
  }
  return out;
}

v1::WorksheetDocument worksheet::snapshot() const {
  v1::WorksheetDocument d;
  d.set_instance_id(instance_id_);
  d.set_template_id(template_.id());
  d.set_template_version(template_.version());
  d.set_scope(sheet_.scope);
  d.set_owner_member(sheet_.owner_member);
  d.set_owner_family(sheet_.owner_family);
  d.set_version(version());
  document_to_wire(doc_, &d);
  return d;
}

std::optional<worksheet> worksheet::replay(std::string instance_id, v1::WorksheetTemplate t,
                                           sheet s, const std::vector<v1::WorksheetCommit>& log) {
  worksheet w(std::move(instance_id), std::move(t), std::move(s));
  for (const auto& c : log) {
    if (!w.accept(c)) {
      return std::nullopt;
    }
  }
  return w;
}

}  // namespace hearth::worksheets
