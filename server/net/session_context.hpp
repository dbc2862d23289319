// What every connection shares: configuration, the token key, the rooms, the
// clock and the registry of live connections. Outlives every session.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "admin/admin_worker.hpp"
#include "auth/signing_key.hpp"
#include "net/clock.hpp"
#include "net/deadline_wheel.hpp"
#include "net/room_directory.hpp"
#include "net/session_registry.hpp"
#include "net/settings.hpp"
#include "store/store_writer.hpp"

namespace hearth::net {

struct session_context {
  const settings& config;
  const auth::signing_key& key;
  room_directory& rooms;
  const server_clock& clock;
  session_registry& registry;
  store::store_writer& records;
  deadline_wheel& wheel;                     // every connection's deadlines
  std::vector<std::string> allowed_origins;  // exact matches, own origin included
  std::atomic<core::connection_id> next_connection_id{1};
  std::atomic<bool> shutting_down{false};
  admin::worker* admin = nullptr;                             // the admin API, when enabled
  std::size_t admin_max_body_bytes = std::size_t{64} * 1024;  // request bodies (admin API only)
};

}  // namespace hearth::net
