// Every limit and timeout of the network shell, filled from configuration.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "admin/template_catalog.hpp"
#include "core/types.hpp"
#include "hearth/v1/lobby.pb.h"
#include "pdf/render_queue.hpp"

namespace hearth::net {

struct settings {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8443;
  std::string tls_cert_file;  // both set: wss; neither: plain ws (only with insecure_plaintext)
  std::string tls_key_file;
  bool insecure_plaintext = false;
  std::vector<std::string> allowed_origins;  // the server's own origin is always allowed
  std::string web_root;                      // the browser client's built files; empty: none served

  std::size_t max_message_bytes = std::size_t{64} * 1024;     // inbound WebSocket message
  std::size_t admin_max_body_bytes = std::size_t{64} * 1024;  // admin API request body
  std::size_t max_messages_per_frame = 16;  // length-prefixed messages per inbound frame
  std::size_t max_outbound_queue_bytes = std::size_t{1024} * 1024;
  std::size_t max_write_batch_bytes = std::size_t{256} * 1024;  // bytes gathered into one write
  std::chrono::milliseconds hello_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds ping_interval{25'000};
  std::chrono::milliseconds pong_timeout{10'000};
  std::chrono::milliseconds shutdown_grace{5'000};  // SIGTERM: time to flush closes
  double rate_per_second = 20.0;                    // sustained client messages per connection
  double rate_burst = 60.0;                         // short bursts above the sustained rate
  std::uint32_t rate_strikes = 50;                  // throttled messages tolerated before a close

  std::size_t history_events = 1000;  // room stream replay ring
  std::size_t history_bytes = std::size_t{1024} * 1024;
  std::size_t direct_history_events = 200;  // per member direct stream ring
  std::size_t direct_history_bytes = std::size_t{256} * 1024;

  std::string token_issuer = "hearthd";
  std::string token_audience = "hearth";
  std::int64_t token_leeway_seconds = 30;
  std::size_t max_token_bytes = 4096;

  core::room_limits room;
  // Built-in and facilitators' templates, shared by every room and the admin
  // API; null: worksheet commands are refused.
  std::shared_ptr<admin::template_catalog> worksheet_templates;
  // Where worksheet PDFs are laid out; null: PDF exports are refused (117).
  std::shared_ptr<pdf::render_queue> pdf_renders;
  // Rooms without a planned session (the admin API's sessions) enter like this.
  v1::LobbyPolicy default_lobby_policy = v1::LOBBY_POLICY_OPEN;
  bool default_admit_before_facilitator = true;
  unsigned threads = 1;
  // One thread, plain sockets: a turn's sends go to the kernel in one system
  // call (io_uring; net/send_batch.hpp), where the kernel allows it.
  bool batch_sends = true;
};

}  // namespace hearth::net
