// hearth-loadgen: the fan-out load generator of bench/ (see docs/performance.md).
#include <signal.h>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string_view>

#include "driver.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << hearth::bench::usage();
      return 0;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  try {
    const auto opts = hearth::bench::parse_options(argc, argv);
    const auto result = hearth::bench::run(opts);
    std::cout << result.json << std::endl;
    return result.status;
  } catch (const std::exception& e) {
    std::cerr << "hearth-loadgen: " << e.what() << "\n" << hearth::bench::usage();
    return 2;
  }
}
