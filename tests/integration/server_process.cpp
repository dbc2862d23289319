// Process management for integration tests: fork/exec of hearthd.
#include "server_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace hearth::testing {
namespace {

std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hearth-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  return pattern;
}

std::string run_capture(const std::vector<std::string>& argv) {
  std::string command;
  for (const auto& a : argv) {
    command += "'" + a + "' ";
  }
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    throw std::runtime_error("popen failed");
  }
  std::string out;
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) {
    out += buf.data();
  }
  if (::pclose(pipe) != 0) {
    throw std::runtime_error("command failed: " + command);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
    out.pop_back();
  }
  return out;
}

}  // namespace

server_process::server_process(std::vector<std::string> extra_flags)
    : data_dir_(make_temp_dir()), flags_(std::move(extra_flags)) {
  start();
}

void server_process::kill_and_restart() {
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  std::error_code ignored;
  std::filesystem::remove(data_dir_ + "/port", ignored);
  start();
}

void server_process::start() {
  const std::string port_file = data_dir_ + "/port";
  std::vector<std::string> args = {
      HEARTHD_PATH,           "--listen",    "127.0.0.1:0", "--data-dir",  data_dir_,
      "--insecure-plaintext", "--port-file", port_file,     "--log-level", "warn"};
  args.insert(args.end(), flags_.begin(), flags_.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    std::vector<char*> argv;
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    unsigned port = 0;
    if (in >> port && port != 0) {
      port_ = static_cast<std::uint16_t>(port);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("hearthd did not start");
}

server_process::~server_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

std::string server_process::mint(const std::string& room, const std::string& role,
                                 const std::string& subject, const std::string& name,
                                 int ttl_seconds) const {
  return run_capture({HEARTHD_PATH, "mint-token", "--data-dir", data_dir_, "--room", room, "--role",
                      role, "--subject", subject, "--name", name, "--ttl",
                      std::to_string(ttl_seconds)});
}

std::unique_ptr<client::ws_client> server_process::connect() const {
  client::connect_options options;
  options.port = port_;
  return std::make_unique<client::ws_client>(options);
}

std::unique_ptr<client::ws_client> server_process::join(const std::string& token,
                                                        v1::JoinResult* joined,
                                                        const v1::ResumePosition* resume) const {
  auto c = connect();
  using namespace std::chrono_literals;
  const auto hello = c->await_reply(c->hello(token), 5s);
  if (!hello || !hello->has_hello()) {
    throw std::runtime_error("hello failed");
  }
  const auto reply = c->await_reply(c->join(hello->hello().room_id(), resume), 5s);
  if (!reply || !reply->has_join()) {
    throw std::runtime_error("join failed");
  }
  if (joined != nullptr) {
    *joined = reply->join();
  }
  return c;
}

int server_process::terminate(std::chrono::milliseconds wait) {
  if (pid_ <= 0) {
    return -1;
  }
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

}  // namespace hearth::testing
