#include "proc_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace hearth::bench {
namespace {

std::optional<std::uint64_t> field_kb(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      std::istringstream fields(line.substr(key.size()));
      std::uint64_t kb = 0;
      if (fields >> kb) {
        return kb;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<cpu_times> read_cpu_times(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) {
    return std::nullopt;
  }
  // The command name may hold spaces; fields resume after its closing paren.
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(stat.substr(paren + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) {  // state .. cmajflt: fields 3 to 13
    fields >> skip;
  }
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  if (!(fields >> utime >> stime)) {
    return std::nullopt;
  }
  const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return cpu_times{static_cast<double>(utime) / ticks, static_cast<double>(stime) / ticks};
}

std::optional<std::uint64_t> read_rss_kb(int pid) {
  return field_kb("/proc/" + std::to_string(pid) + "/status", "VmRSS:");
}

std::optional<std::uint64_t> read_slab_kb() { return field_kb("/proc/meminfo", "Slab:"); }

}  // namespace hearth::bench
