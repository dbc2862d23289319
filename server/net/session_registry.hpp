// The live connections of the process, so shutdown can close every one of them.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "net/connection.hpp"

namespace hearth::net {

class session_registry {
 public:
  void add(const std::shared_ptr<connection>& conn);
  void remove(core::connection_id id);
  // Asks every live connection to close with `code`.
  void close_all(v1::CloseCode code, const std::string& reason);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<core::connection_id, std::weak_ptr<connection>> live_;
};

}  // namespace hearth::net
