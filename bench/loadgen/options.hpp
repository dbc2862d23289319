// Command-line settings of hearth-loadgen.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hearth::bench {

enum class mode : std::uint8_t { hearth, raw, socketio };

struct options {
  bench::mode mode = mode::hearth;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string data_dir;  // hearth: where the server's signing key lives
  std::uint32_t rooms = 10;
  std::uint32_t members = 10;
  double rate = 0;  // messages per second over all connections; 0 = idle
  std::uint32_t payload = 64;
  double warmup_seconds = 3;
  double duration_seconds = 10;
  std::optional<int> server_pid;
  std::uint32_t slow_rooms_permille = 0;
  double churn_per_second = 0;
  bool tls = false;
  bool coedit = false;  // W8: edits of one session sheet per room instead of chat
  std::string label;
  std::uint32_t connect_concurrency = 256;
  // Connect from this many loopback addresses (127.0.0.1 upward) when the server
  // is on loopback: with one, the kernel's search for a free ephemeral port walks
  // every connection already open to the server, and 18,000 connects become
  // the generator's bottleneck instead of the server's.
  std::uint32_t source_addresses = 16;
  double drain_seconds = 5;
  std::uint32_t seed = 1;
};

// Throws std::invalid_argument with a message fit for the user.
options parse_options(int argc, char** argv);
const char* usage();
const char* mode_name(mode m);

}  // namespace hearth::bench
