#include "tally.hpp"

#include <unistd.h>

namespace hearth::bench {
namespace {

constexpr std::size_t max_reported_problems = 8;

double cpu_seconds(const cpu_times& t) { return t.user_seconds + t.system_seconds; }

// The growth of a reading in kB, per connection in bytes.
void set_per_connection(report& r, const char* key, std::optional<std::uint64_t> before,
                        std::optional<std::uint64_t> after, std::size_t connections) {
  if (before && after && connections > 0) {
    r.set(key, (static_cast<double>(*after) - static_cast<double>(*before)) * 1024.0 /
                   static_cast<double>(connections));
  } else {
    r.set_null(key);
  }
}

}  // namespace

snapshot take_snapshot(const options& o) {
  snapshot s;
  if (o.server_pid) {
    s.server_cpu = read_cpu_times(*o.server_pid);
    s.server_rss_kb = read_rss_kb(*o.server_pid);
  }
  s.self_cpu = read_cpu_times(static_cast<int>(::getpid()));
  s.slab_kb = read_slab_kb();
  return s;
}

void tally::problem(std::string_view what) {
  ++problems;
  if (problem_text.size() < max_reported_problems) {
    problem_text.emplace_back(what);
  }
}

void report_shape(report& r, const options& o) {
  r.set("mode", mode_name(o.mode));
  r.set("label", o.label);
  r.set("rooms", o.rooms);
  r.set("members", o.members);
  r.set("rate", o.rate);
  r.set("payload", o.payload);
  r.set("tls", o.tls);
  r.set("coedit", o.coedit);
  r.set("slow_rooms_permille", o.slow_rooms_permille);
  r.set("churn_per_second", o.churn_per_second);
}

void report_joins(report& r, const tally& t, const snapshot& before, const snapshot& joined) {
  r.set("connections", static_cast<std::uint64_t>(t.planned));
  r.set("joined", static_cast<std::uint64_t>(t.ready));
  r.set("connect_seconds", t.connect_seconds);
  r.set("joins_per_second",
        t.connect_seconds > 0 ? static_cast<double>(t.ready) / t.connect_seconds : 0.0);
  if (before.server_cpu && joined.server_cpu && t.ready > 0) {
    r.set("server_cpu_per_join_us",
          (cpu_seconds(*joined.server_cpu) - cpu_seconds(*before.server_cpu)) /
              static_cast<double>(t.ready) * 1e6);
  } else {
    r.set_null("server_cpu_per_join_us");
  }
  // Near 1, joins/s is this generator's limit and only the server's CPU per
  // join compares servers.
  if (before.self_cpu && joined.self_cpu && t.connect_seconds > 0) {
    r.set("generator_cpu_share_joining",
          (cpu_seconds(*joined.self_cpu) - cpu_seconds(*before.self_cpu)) / t.connect_seconds);
  } else {
    r.set_null("generator_cpu_share_joining");
  }
}

void report_memory(report& r, const tally& t, const snapshot& before, const snapshot& settled) {
  r.set_kb("server_rss_before_kb", before.server_rss_kb);
  r.set_kb("server_rss_connected_kb", settled.server_rss_kb);
  set_per_connection(r, "rss_per_connection_bytes", before.server_rss_kb, settled.server_rss_kb,
                     t.planned);
  // Both ends of each loopback connection live in this kernel.
  set_per_connection(r, "slab_per_connection_bytes", before.slab_kb, settled.slab_kb, t.planned);
}

void report_window(report& r, const tally& t, const options& o, const snapshot& after) {
  const double window = o.duration_seconds;
  r.set_kb("server_rss_after_kb", after.server_rss_kb);
  r.set("window_seconds", window);
  r.set("sent", t.sent);
  r.set("sent_in_window", t.sent_in_window);
  r.set("send_failures", t.send_failures);
  r.set("expected", t.expected);
  r.set("delivered", t.delivered);
  r.set("delivery_ratio",
        t.expected > 0 ? static_cast<double>(t.delivered) / static_cast<double>(t.expected) : 1.0);
  r.set("deliveries_in_window", t.received_in_window);
  r.set("deliveries_per_second", static_cast<double>(t.received_in_window) / window);
  r.set_latency("latency_us", t.latency);
  r.set("send_lag_p99_us", static_cast<double>(t.send_lag.percentile(0.99)) / 1e3);
  r.set("send_lag_max_us", static_cast<double>(t.send_lag.max()) / 1e3);
  const auto& start = t.window_start.server_cpu;
  const auto& end = t.window_end.server_cpu;
  if (start && end) {
    const double user = end->user_seconds - start->user_seconds;
    const double sys = end->system_seconds - start->system_seconds;
    r.set("server_cpu_user_s", user);
    r.set("server_cpu_sys_s", sys);
    r.set("server_cpu_share", (user + sys) / window);
    r.set("cpu_per_delivery_us",
          t.received_in_window > 0 ? (user + sys) / static_cast<double>(t.received_in_window) * 1e6
                                   : 0.0);
  } else {
    r.set_null("server_cpu_user_s");
    r.set_null("server_cpu_sys_s");
    r.set_null("server_cpu_share");
    r.set_null("cpu_per_delivery_us");
  }
  if (t.window_start.self_cpu && t.window_end.self_cpu) {
    r.set("generator_cpu_share",
          (cpu_seconds(*t.window_end.self_cpu) - cpu_seconds(*t.window_start.self_cpu)) / window);
  }
  r.set("slow_members", t.slow_planned);
  r.set("slow_members_closed_by_server", t.slow_closed);
  r.set("churn_connects", t.churn_opened);
  r.set("churn_joined", t.churn_ready);
  if (o.coedit) {
    r.set("sheets_open", t.sheets_open);
    r.set("edits_acked", t.edits_acked);
    r.set("edits_acked_in_window", t.acked_in_window);
    r.set("durable_edits_per_second", static_cast<double>(t.acked_in_window) / window);
    r.set_latency("ack_latency_us", t.ack_latency);
  }
}

void report_problems(report& r, const tally& t) {
  r.set("problems", t.problems);
  r.set("steady_members_lost", t.steady_lost);
  r.set_strings("errors", t.problem_text);
}

}  // namespace hearth::bench
