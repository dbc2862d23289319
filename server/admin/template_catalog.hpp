// The worksheet template catalog every room and the admin API share: an
// immutable worksheet_templates swapped for a changed copy when a template is
// saved or retired. The shell's (it locks), not the core's: rooms are handed snapshots by
// their runner, so the core keeps no lock and sees one catalog per command.
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "core/worksheet_book.hpp"

namespace hearth::admin {

using core::worksheet_templates;

class template_catalog {
 public:
  explicit template_catalog(worksheet_templates initial)
      : current_(std::make_shared<const worksheet_templates>(std::move(initial))) {}

  // The catalog as it is now; never changes after it is handed out.
  std::shared_ptr<const worksheet_templates> snapshot() const;

  // Reserves (id, version) for a save about to be stored, so that two rooms
  // (or a room and the admin API) never store one version twice, which would
  // fail the store's whole group commit: false when the version exists or is
  // claimed, or the template is retired. add() or release() ends the claim.
  bool claim(const std::string& id, std::uint32_t version);
  void release(const std::string& id, std::uint32_t version);

  // A stored version or retirement becomes visible to the next snapshot.
  // Adding an (id, version) already there changes nothing.
  void add(const v1::WorksheetTemplate& t);
  void retire(const std::string& id);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const worksheet_templates> current_;
  std::set<std::pair<std::string, std::uint32_t>> claimed_;
};

}  // namespace hearth::admin
