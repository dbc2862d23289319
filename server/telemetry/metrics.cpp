// Prometheus text rendering of the process counters.
#include "telemetry/metrics.hpp"

namespace hearth::telemetry {

metrics& global_metrics() {
  static metrics instance;
  return instance;
}

void metrics::count_error(int code) {
  if (code >= 0 && code < static_cast<int>(errors_by_code.size())) {
    errors_by_code[static_cast<std::size_t>(code)].fetch_add(1, std::memory_order_relaxed);
  }
}

void metrics::count_close(unsigned code) {
  if (code >= 4000 && code < 5000) {
    closes_by_code[code - 4000].fetch_add(1, std::memory_order_relaxed);
  } else if (code == 1009) {
    closes_too_big.fetch_add(1, std::memory_order_relaxed);
  }
}

namespace {

template <typename T>
void gauge(std::string& out, const char* name, const char* type, const char* help, T value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

}  // namespace

std::string metrics::render() const {
  std::string out;
  out.reserve(2048);
  gauge(out, "hearth_connections_open", "gauge", "WebSocket connections open now.",
        connections_open.load());
  gauge(out, "hearth_connections_total", "counter", "WebSocket connections accepted.",
        connections_total.load());
  gauge(out, "hearth_rooms_open", "gauge", "Rooms live now.", rooms_open.load());
  gauge(out, "hearth_messages_in_total", "counter", "Client messages received.",
        messages_in.load());
  gauge(out, "hearth_messages_out_total", "counter",
        "Server messages taken for writing to clients.", messages_out.load());
  gauge(out, "hearth_bytes_in_total", "counter", "Payload bytes received.", bytes_in.load());
  gauge(out, "hearth_bytes_out_total", "counter", "Payload bytes taken for writing to clients.",
        bytes_out.load());
  gauge(out, "hearth_queue_overflows_total", "counter",
        "Connections closed because their outbound queue overflowed.", queue_overflows.load());
  gauge(out, "hearth_handshakes_refused_total", "counter",
        "WebSocket upgrades refused (origin, subprotocol, malformed).", handshakes_refused.load());
  gauge(out, "hearth_store_refused_total", "counter",
        "Records not written because the store's queue was full.", store_refused.load());
  out += "# HELP hearth_errors_total Error replies by protocol error code.\n";
  out += "# TYPE hearth_errors_total counter\n";
  for (std::size_t code = 0; code < errors_by_code.size(); ++code) {
    const auto n = errors_by_code[code].load();
    if (n != 0) {
      out +=
          "hearth_errors_total{code=\"" + std::to_string(code) + "\"} " + std::to_string(n) + '\n';
    }
  }
  out += "# HELP hearth_closes_total Connections closed by the server, by close code.\n";
  out += "# TYPE hearth_closes_total counter\n";
  for (std::size_t i = 0; i < closes_by_code.size(); ++i) {
    const auto n = closes_by_code[i].load();
    if (n != 0) {
      out += "hearth_closes_total{code=\"" + std::to_string(4000 + i) + "\"} " + std::to_string(n) +
             '\n';
    }
  }
  out += "hearth_closes_total{code=\"1009\"} " + std::to_string(closes_too_big.load()) + '\n';
  return out;
}

}  // namespace hearth::telemetry
