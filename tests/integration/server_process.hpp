// Runs a real hearthd on loopback (port 0) in a fresh data directory for one
// test, mints tokens with its `mint-token` command, and stops it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ws_client.hpp"

namespace hearth::testing {

class server_process {
 public:
  explicit server_process(std::vector<std::string> extra_flags = {});
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }

  std::string mint(const std::string& room, const std::string& role, const std::string& subject,
                   const std::string& name, int ttl_seconds = 3600) const;

  // A connected client (not yet authenticated).
  std::unique_ptr<client::ws_client> connect() const;
  // A client that has said Hello and joined the token's room; `joined` gets the reply.
  std::unique_ptr<client::ws_client> join(const std::string& token,
                                          v1::JoinResult* joined = nullptr,
                                          const v1::ResumePosition* resume = nullptr) const;

  // SIGKILL, then a new hearthd on the same data directory (another port).
  void kill_and_restart();

  // Sends SIGTERM and returns the exit status (or -1 if it had to be killed).
  int terminate(std::chrono::milliseconds wait = std::chrono::milliseconds(8000));

 private:
  void start();

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string data_dir_;
  std::vector<std::string> flags_;
};

// Receives until an event matching `pred` arrives (other messages are dropped).
template <typename Pred>
std::optional<v1::Event> await_event(client::ws_client& c, Pred pred,
                                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = c.receive(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!m) {
      break;
    }
    if (m->has_event() && pred(m->event())) {
      return m->event();
    }
  }
  return std::nullopt;
}

}  // namespace hearth::testing
