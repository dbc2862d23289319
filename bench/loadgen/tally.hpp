// What a run counts (joins, sends, deliveries and their latency, problems)
// and how the counts become its JSON report: the shape, the join phase's rate
// and CPU, memory per connection, and the window's deliveries, latency and CPU
// per delivery.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "options.hpp"
#include "proc_stats.hpp"
#include "report.hpp"

namespace hearth::bench {

// The server's CPU and memory, this generator's CPU and the kernel's slab at
// one moment; a reading that failed (no server pid, no /proc) is empty.
struct snapshot {
  std::optional<cpu_times> server_cpu;
  std::optional<cpu_times> self_cpu;
  std::optional<std::uint64_t> server_rss_kb;
  std::optional<std::uint64_t> slab_kb;
};

snapshot take_snapshot(const options& o);

struct tally {
  // joining
  std::size_t planned = 0;
  std::size_t ready = 0;
  std::size_t failed = 0;
  double connect_seconds = 0;
  // members
  std::uint64_t slow_planned = 0;
  std::uint64_t slow_closed = 0;
  std::uint64_t steady_lost = 0;
  std::uint64_t churn_opened = 0;
  std::uint64_t churn_ready = 0;
  // sending and delivering
  std::uint64_t sent = 0;
  std::uint64_t sent_in_window = 0;
  std::uint64_t send_failures = 0;
  std::uint64_t expected = 0;
  std::uint64_t delivered = 0;
  std::uint64_t received_in_window = 0;
  histogram latency;
  histogram send_lag;
  // W8: scheduled edit to its durable acknowledgement
  std::uint64_t sheets_open = 0;
  std::uint64_t edits_acked = 0;
  std::uint64_t acked_in_window = 0;
  histogram ack_latency;
  // the measured window's ends
  snapshot window_start;
  snapshot window_end;
  // what went wrong
  std::uint64_t problems = 0;
  std::vector<std::string> problem_text;

  void problem(std::string_view what);
};

void report_shape(report& r, const options& o);
void report_joins(report& r, const tally& t, const snapshot& before, const snapshot& joined);
void report_memory(report& r, const tally& t, const snapshot& before, const snapshot& settled);
void report_window(report& r, const tally& t, const options& o, const snapshot& after);
void report_problems(report& r, const tally& t);

}  // namespace hearth::bench
