// The server clock: Unix-epoch milliseconds that advance with the steady clock,
// so wall-clock steps never stretch or shrink a grace period or a turn.
#pragma once

#include <chrono>

#include "core/types.hpp"

namespace hearth::net {

class server_clock {
 public:
  server_clock()
      : wall_start_(std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count()),
        steady_start_(std::chrono::steady_clock::now()) {}

  core::time_ms now() const {
    return wall_start_ + std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - steady_start_)
                             .count();
  }

  // Wall-clock seconds for token checks (tokens are minted elsewhere against wall time).
  static std::int64_t wall_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

 private:
  core::time_ms wall_start_;
  std::chrono::steady_clock::time_point steady_start_;
};

}  // namespace hearth::net
