// The one assertion the fuzz harnesses use: a broken property must end the run
// as a crash, so libFuzzer saves the input and the corpus replay fails.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace hearth::fuzz {

// Not assert(): the harnesses must check in every build type, NDEBUG included.
inline void check(bool ok, const char* property) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", property);
    std::abort();
  }
}

}  // namespace hearth::fuzz
