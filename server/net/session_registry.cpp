// Live connection registry.
#include "net/session_registry.hpp"

#include <vector>

namespace hearth::net {

void session_registry::add(const std::shared_ptr<connection>& conn) {
  std::lock_guard lock(mutex_);
  live_[conn->id()] = conn;
}

void session_registry::remove(core::connection_id id) {
  std::lock_guard lock(mutex_);
  live_.erase(id);
}

void session_registry::close_all(v1::CloseCode code, const std::string& reason) {
  std::vector<std::shared_ptr<connection>> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, weak] : live_) {
      if (auto conn = weak.lock()) {
        targets.push_back(std::move(conn));
      }
    }
  }
  for (auto& conn : targets) {
    conn->close(code, reason);
  }
}

std::size_t session_registry::size() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

}  // namespace hearth::net
