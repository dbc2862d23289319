// Process-wide counters exported in the Prometheus text format on /metrics.
// Counts only: no ids of people, no content.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace hearth::telemetry {

struct metrics {
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::int64_t> rooms_open{0};
  std::atomic<std::uint64_t> messages_in{0};
  std::atomic<std::uint64_t> messages_out{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> queue_overflows{0};
  std::atomic<std::uint64_t> handshakes_refused{0};
  std::atomic<std::uint64_t> store_refused{0};  // records not queued: the store's queue was full

  // Errors replied, indexed by ErrorCode (all codes are below 128), and closes
  // sent, indexed by close code - 4000 (plus the RFC codes counted apart).
  std::array<std::atomic<std::uint64_t>, 128> errors_by_code{};
  std::array<std::atomic<std::uint64_t>, 1000> closes_by_code{};
  std::atomic<std::uint64_t> closes_too_big{0};

  void count_error(int code);
  void count_close(unsigned code);
  std::string render() const;
};

metrics& global_metrics();

}  // namespace hearth::telemetry
