// One worksheet instance on the server: the sequencer of its edits. Takes a
// client's batch, transforms it past every commit since its base version,
// checks and applies it, and numbers it with the next version. Pure: the
// shell persists each new commit and only then acknowledges and broadcasts it.
// Lives on its room's executor; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hearth/v1/worksheet.pb.h"
#include "worksheets/document.hpp"
#include "worksheets/ops.hpp"

namespace hearth::worksheets {

struct worksheet_limits {
  std::size_t max_ops_per_batch = 200;
  std::size_t remembered_seqs = 16;  // committed client_seqs kept per client for resubmissions
};

class worksheet {
 public:
  // `t` must have passed check_template.
  worksheet(std::string instance_id, v1::WorksheetTemplate t, sheet s,
            worksheet_limits limits = {});

  struct submitted {
    // For the author. On a new commit, send it only once the commit is durable.
    v1::WorksheetAck ack;
    // Set when the batch made a new version: persist it, then acknowledge the
    // author and send it to every reader of the sheet (the author included:
    // a client recognizes its own commit by client_id and client_seq).
    std::optional<v1::WorksheetCommit> commit;
  };

  // A resubmission of a committed (author, client_id, client_seq) is answered
  // with the original version and changes nothing. A refused batch changes
  // nothing either.
  submitted submit(const v1::WorksheetBatch& batch, const writer& w);

  // The same answer as submit(), without changing anything: a shell that
  // must persist a commit before it exists proposes, persists, then accepts
  // (and proposes nothing else for this instance in between).
  submitted propose(const v1::WorksheetBatch& batch, const writer& w) const;
  // Applies a commit propose() made at the current version; false (nothing
  // changes) when it is not the next version or does not apply.
  bool accept(const v1::WorksheetCommit& c);

  // Commits after `version`, in order, for a client resuming from it.
  std::vector<v1::WorksheetCommit> commits_since(std::uint64_t version) const;

  v1::WorksheetDocument snapshot() const;
  std::uint64_t version() const { return log_.size(); }
  const document& state() const { return doc_; }
  const v1::WorksheetTemplate& form() const { return template_; }

  // Rebuilds an instance from its stored commits (versions 1, 2, ... in
  // order); nothing when they do not apply.
  static std::optional<worksheet> replay(std::string instance_id, v1::WorksheetTemplate t, sheet s,
                                         const std::vector<v1::WorksheetCommit>& log);

 private:
  struct entry {
    std::uint32_t author = 0;
    std::string client_id;
    std::uint64_t client_seq = 0;
    ops changes;
  };
  using client_key = std::pair<std::uint32_t, std::string>;  // (author, client_id)

  v1::WorksheetAck answer(const v1::WorksheetBatch& batch, std::uint64_t version, error e) const;
  v1::WorksheetCommit to_commit(std::uint64_t version) const;
  void remember(const client_key& key, std::uint64_t seq, std::uint64_t version);

  std::string instance_id_;
  v1::WorksheetTemplate template_;
  sheet sheet_;
  worksheet_limits limits_;
  document doc_;
  std::vector<entry> log_;  // log_[v - 1] made version v
  std::map<client_key, std::map<std::uint64_t, std::uint64_t>> committed_;  // seq -> version
};

}  // namespace hearth::worksheets
