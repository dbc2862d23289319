// hearth-cli: a terminal client for Hearth. Connects, authenticates, joins the
// token's room and prints every event as one line. Lines typed on stdin are
// sent as chat; "/private TEXT" writes to the facilitators, "/pm ID TEXT" to one
// member, "/distress" alerts the facilitators privately, "/ack ID" acknowledges
// that alert, "/typing" signals typing, "/leave" leaves, "/quit" exits, "/help"
// lists the floor commands ("/hand", "/done", "/pass", "/round 90 15", ...) and the
// moderation commands ("/mute 4", "/remove 4", "/lock", "/end", ...) and the lobby
// commands ("/admit 3", "/stepout 4", "/ban 4", "/lobbymsg TEXT", ...) and the check-in
// poll commands ("/poll scale 0 10 QUESTION", "/answer 1 7", "/closepoll 1") and the breakout
// room commands ("/breakouts even 3 600 60", "/enter 2", "/recall", ...). A join the lobby
// holds back prints a "lobby" line; "admitted" follows once a facilitator lets it in.
// Works the same when stdin is a pipe, so operators and tests can script it; at end of
// input it waits for the outstanding replies and exits.
#include <atomic>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "breakout_input.hpp"
#include "event_format.hpp"
#include "floor_input.hpp"
#include "lobby_input.hpp"
#include "moderation_input.hpp"
#include "poll_input.hpp"
#include "safety_input.hpp"
#include "ws_client.hpp"

namespace {

constexpr const char* usage =
    "usage: hearth-cli --url ws[s]://HOST:PORT/v1/ws [--token TOKEN] [--room ROOM]\n"
    "                  [--ca-file FILE]\n"
    "The token may also come from the HEARTH_TOKEN environment variable (keeps it out\n"
    "of shell history). The room defaults to the token's room. A wss:// server's\n"
    "certificate must be valid for HOST and signed by a root in FILE (PEM), or in the\n"
    "system's trusted roots without --ca-file.\n"
    "stdin: TEXT (chat), /private TEXT, /pm ID TEXT, /distress, /ack ID, /typing,\n"
    "       /attendance (facilitators: who has attended so far), /leave, /quit, /help\n";

struct url_parts {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string path;
};

bool parse_url(const std::string& url, url_parts& out) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return false;
  }
  const auto scheme = url.substr(0, scheme_end);
  if (scheme != "ws" && scheme != "wss") {
    return false;
  }
  out.tls = scheme == "wss";
  const auto rest = url.substr(scheme_end + 3);
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  out.path = slash == std::string::npos ? "/v1/ws" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) {
    return false;
  }
  out.host = authority.substr(0, colon);
  try {
    const int port = std::stoi(authority.substr(colon + 1));
    if (port <= 0 || port > 65535) {
      return false;
    }
    out.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

class line_reader {
 public:
  line_reader() {
    thread_ = std::thread([this] {
      std::string line;
      while (std::getline(std::cin, line)) {
        std::lock_guard lock(mutex_);
        lines_.push_back(line);
      }
      eof_ = true;
    });
    thread_.detach();  // blocked in getline at exit; the process ends it
  }
  bool pop(std::string& line) {
    std::lock_guard lock(mutex_);
    if (lines_.empty()) {
      return false;
    }
    line = std::move(lines_.front());
    lines_.pop_front();
    return true;
  }
  bool eof() const { return eof_; }

 private:
  std::thread thread_;
  std::mutex mutex_;
  std::deque<std::string> lines_;
  std::atomic<bool> eof_{false};
};

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  std::string token = std::getenv("HEARTH_TOKEN") != nullptr ? std::getenv("HEARTH_TOKEN") : "";
  std::string room;
  std::string ca_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << "hearth-cli: " << arg << " needs a value\n" << usage;
      return 2;
    }
    if (arg == "--url") {
      url = argv[++i];
    } else if (arg == "--token") {
      token = argv[++i];
    } else if (arg == "--room") {
      room = argv[++i];
    } else if (arg == "--ca-file") {
      ca_file = argv[++i];
    } else {
      std::cerr << "hearth-cli: unknown option " << arg << "\n" << usage;
      return 2;
    }
  }
  url_parts target;
  if (url.empty() || token.empty() || !parse_url(url, target)) {
    std::cerr << "hearth-cli: --url ws[s]://HOST:PORT/PATH and a token are required\n" << usage;
    return 2;
  }
  if (!ca_file.empty() && !target.tls) {
    std::cerr << "hearth-cli: --ca-file needs a wss:// URL\n" << usage;
    return 2;
  }

  hearth::client::connect_options options;
  options.host = target.host;
  options.port = target.port;
  options.path = target.path;
  options.tls = target.tls;
  options.ca_file = ca_file;
  std::unique_ptr<hearth::client::ws_client> client;
  try {
    client = std::make_unique<hearth::client::ws_client>(options);
  } catch (const std::exception& e) {
    std::cerr << "hearth-cli: " << e.what() << "\n";
    return 1;
  }

  hearth::cli::event_formatter formatter;
  using namespace std::chrono_literals;
  auto print = [&](const hearth::v1::ServerMessage& message) {
    const auto line = formatter.format(message);
    if (!line.empty()) {
      std::cout << line << std::endl;
    }
  };

  const auto hello_id = client->hello(token);
  auto hello = client->await_reply(hello_id, 5s);
  if (!hello || hello->has_error()) {
    while (auto m = client->receive(200ms)) {
      print(*m);
    }
    if (hello) {
      print([&] {
        hearth::v1::ServerMessage m;
        *m.mutable_reply() = *hello;
        return m;
      }());
    }
    std::cerr << "hearth-cli: authentication failed\n";
    return 1;
  }
  client->join(room.empty() ? hello->hello().room_id() : room);

  line_reader input;
  std::uint32_t outstanding = 1;  // the join
  std::uint64_t next_msg_id = 1;
  auto eof_since = std::chrono::steady_clock::time_point{};
  while (!client->closed()) {
    while (auto message = client->receive(20ms)) {
      if (message->has_reply() && outstanding > 0) {
        --outstanding;
      }
      print(*message);
    }
    std::string line;
    while (input.pop(line)) {
      if (line == "/quit") {
        client->close();
        return 0;
      }
      if (line.empty()) {
        continue;
      }
      if (line == "/attendance") {
        ++outstanding;
        hearth::v1::ClientMessage m;
        m.mutable_attendance();
        client->request(std::move(m));
        continue;
      }
      if (line == "/help") {
        std::cout << usage << hearth::cli::floor_help << hearth::cli::safety_help
                  << hearth::cli::moderation_help << hearth::cli::lobby_help
                  << hearth::cli::poll_help << hearth::cli::breakout_help << std::flush;
        continue;
      }
      std::string error;
      if (auto floor = hearth::cli::parse_floor_command(line, error)) {
        if (!error.empty()) {
          std::cerr << error;
          continue;
        }
        ++outstanding;
        client->floor(*floor);
        continue;
      }
      if (auto moderation = hearth::cli::parse_moderation_command(line, error)) {
        if (!error.empty()) {
          std::cerr << error;
          continue;
        }
        ++outstanding;
        hearth::v1::ClientMessage m;
        *m.mutable_moderation() = std::move(*moderation);
        client->request(std::move(m));
        continue;
      }
      if (auto lobby = hearth::cli::parse_lobby_command(line, error)) {
        if (!error.empty()) {
          std::cerr << error;
          continue;
        }
        ++outstanding;
        client->request(std::move(*lobby));
        continue;
      }
      if (auto breakout = hearth::cli::parse_breakout_command(line, error)) {
        if (!error.empty()) {
          std::cerr << error;
          continue;
        }
        ++outstanding;
        client->request(std::move(*breakout));
        continue;
      }
      if (auto poll = hearth::cli::parse_poll_command(line, formatter, error)) {
        if (!error.empty()) {
          std::cerr << error;
          continue;
        }
        ++outstanding;
        client->request(std::move(*poll));
        continue;
      }
      if (auto safety = hearth::cli::parse_safety_command(line, next_msg_id, error)) {
        if (!error.empty()) {
          std::cerr << error;
          continue;
        }
        if (safety->has_send_chat()) {
          ++next_msg_id;
        }
        ++outstanding;
        client->request(std::move(*safety));
        continue;
      }
      ++outstanding;
      if (line == "/leave") {
        client->leave();
      } else if (line == "/typing") {
        --outstanding;  // typing expects no reply
        hearth::v1::ClientMessage m;
        m.mutable_typing()->set_active(true);
        client->send(m);
      } else if (line.rfind("/private ", 0) == 0) {
        client->chat(line.substr(9), hearth::v1::CHAT_SCOPE_FACILITATORS, next_msg_id++);
      } else {
        client->chat(line, hearth::v1::CHAT_SCOPE_ROOM, next_msg_id++);
      }
    }
    if (input.eof()) {
      const auto now = std::chrono::steady_clock::now();
      if (eof_since == std::chrono::steady_clock::time_point{}) {
        eof_since = now;
      }
      if (outstanding == 0 || now - eof_since > 5s) {
        client->close();
        return 0;
      }
    }
  }
  while (auto message = client->receive(100ms)) {
    print(*message);
  }
  return 0;
}
