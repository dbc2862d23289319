// Readings of a process (and the kernel) from /proc, for CPU per delivery and
// memory per connection.
#pragma once

#include <cstdint>
#include <optional>

namespace hearth::bench {

struct cpu_times {
  double user_seconds = 0;
  double system_seconds = 0;
};

std::optional<cpu_times> read_cpu_times(int pid);
std::optional<std::uint64_t> read_rss_kb(int pid);
// Kernel slab memory (Slab: in /proc/meminfo), where socket buffers live.
std::optional<std::uint64_t> read_slab_kb();

}  // namespace hearth::bench
