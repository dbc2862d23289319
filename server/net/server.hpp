// The network shell as a whole: io_context and its threads, the listener, TLS,
// rooms and connections, and graceful shutdown on SIGTERM/SIGINT.
#pragma once

#include <functional>
#include <memory>

#include "admin/admin_worker.hpp"
#include "admin/live.hpp"
#include "auth/signing_key.hpp"
#include "net/settings.hpp"
#include "store/store_writer.hpp"

namespace hearth::net {

class server {
 public:
  // Attendance and audit records go to `records`, whose store outlives the server.
  // `admin` may be null (no admin API); it must outlive the server.
  server(settings config, auth::signing_key key, store::store_writer& records,
         admin::worker* admin = nullptr);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds the listener (throws on failure: start-up only) and returns the bound
  // port, which differs from the configured one when that is 0.
  std::uint16_t bind();

  // Runs until SIGTERM/SIGINT, then closes every connection with GOING_AWAY,
  // waits up to shutdown_grace for them to finish, and returns.
  void run();

  // The admin API's view of the rooms open on this server (thread-safe; call
  // it from the admin thread, never from a network thread: it waits for the
  // room's strand).
  admin::live_source& live();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace hearth::net
