// The generator's run: connect and join every member, drive the open-loop
// chat schedule, measure deliveries, and report.
#pragma once

#include <string>

#include "options.hpp"

namespace hearth::bench {

// Runs the whole measurement and returns the result as one JSON object.
// Returns a non-zero `status` when connecting or joining failed.
struct run_result {
  int status = 0;
  std::string json;
};

run_result run(const options& opts);

}  // namespace hearth::bench
