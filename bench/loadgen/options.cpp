#include "options.hpp"

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace hearth::bench {
namespace {

template <typename T>
T number(std::string_view name, std::string_view text) {
  T value{};
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    throw std::invalid_argument("--" + std::string(name) + ": not a number: " + std::string(text));
  }
  return value;
}

}  // namespace

const char* usage() {
  return "usage: hearth-loadgen --mode hearth|raw|socketio --port P [--host H] [--data-dir DIR]\n"
         "         --rooms N --members M --rate MSGS_PER_S --payload BYTES\n"
         "         [--warmup S] [--duration S] [--server-pid PID] [--slow-rooms-permille K]\n"
         "         [--churn PER_S] [--tls] [--coedit] [--label TEXT] [--connect-concurrency N]\n"
         "         [--drain S] [--seed N] [--source-addresses N]\n"
         "Opens N*M connections in rooms b0..b{N-1}, sends chat open-loop at the given total\n"
         "rate, and prints one JSON line of results. --rate 0 holds the connections idle.\n"
         "--coedit (hearth): each room's first member pushes a session worksheet and the rate\n"
         "is of edits to it instead of chat; reports durable edits/s and ack latency.\n"
         "--source-addresses (default 16): to a loopback server, connect from 127.0.0.1\n"
         "upward, so the kernel's ephemeral port search stays short with many connections.\n";
}

const char* mode_name(mode m) {
  switch (m) {
    case mode::hearth:
      return "hearth";
    case mode::raw:
      return "raw";
    case mode::socketio:
      return "socketio";
  }
  return "?";
}

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--tls") {
      o.tls = true;
      continue;
    }
    if (arg == "--coedit") {
      o.coedit = true;
      continue;
    }
    if (arg.substr(0, 2) != "--" || i + 1 >= argc) {
      throw std::invalid_argument("bad argument " + std::string(arg));
    }
    const auto name = arg.substr(2);
    const std::string_view value = argv[++i];
    if (name == "mode") {
      if (value == "hearth") {
        o.mode = mode::hearth;
      } else if (value == "raw") {
        o.mode = mode::raw;
      } else if (value == "socketio") {
        o.mode = mode::socketio;
      } else {
        throw std::invalid_argument("--mode: expected hearth, raw or socketio");
      }
    } else if (name == "host") {
      o.host = value;
    } else if (name == "port") {
      o.port = number<std::uint16_t>(name, value);
    } else if (name == "data-dir") {
      o.data_dir = value;
    } else if (name == "rooms") {
      o.rooms = number<std::uint32_t>(name, value);
    } else if (name == "members") {
      o.members = number<std::uint32_t>(name, value);
    } else if (name == "rate") {
      o.rate = number<double>(name, value);
    } else if (name == "payload") {
      o.payload = number<std::uint32_t>(name, value);
    } else if (name == "warmup") {
      o.warmup_seconds = number<double>(name, value);
    } else if (name == "duration") {
      o.duration_seconds = number<double>(name, value);
    } else if (name == "server-pid") {
      o.server_pid = number<int>(name, value);
    } else if (name == "slow-rooms-permille") {
      o.slow_rooms_permille = number<std::uint32_t>(name, value);
    } else if (name == "churn") {
      o.churn_per_second = number<double>(name, value);
    } else if (name == "label") {
      o.label = value;
    } else if (name == "connect-concurrency") {
      o.connect_concurrency = number<std::uint32_t>(name, value);
    } else if (name == "source-addresses") {
      o.source_addresses = number<std::uint32_t>(name, value);
    } else if (name == "drain") {
      o.drain_seconds = number<double>(name, value);
    } else if (name == "seed") {
      o.seed = number<std::uint32_t>(name, value);
    } else {
      throw std::invalid_argument("unknown option " + std::string(arg));
    }
  }
  if (o.port == 0) {
    throw std::invalid_argument("--port is required");
  }
  if (o.rooms == 0 || o.members < 2) {
    throw std::invalid_argument("need at least one room of two members");
  }
  if (o.payload < 40) {
    throw std::invalid_argument("--payload must be at least 40 bytes (the stamp needs 33)");
  }
  if (o.mode == mode::hearth && o.data_dir.empty()) {
    throw std::invalid_argument("--mode hearth needs --data-dir (the server's signing key)");
  }
  if (o.rate < 0 || o.warmup_seconds < 0 || o.duration_seconds <= 0 || o.connect_concurrency == 0) {
    throw std::invalid_argument("rates and durations must be positive");
  }
  if (o.source_addresses == 0 || o.source_addresses > 250) {
    throw std::invalid_argument("--source-addresses must be 1 to 250");
  }
  return o;
}

}  // namespace hearth::bench
