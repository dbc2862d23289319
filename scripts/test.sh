#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to every test: installs what is
# missing, checks formatting and clang-tidy, builds and runs the whole suite
# twice (debug, then AddressSanitizer + UndefinedBehaviorSanitizer), each time
# with a throwaway PostgreSQL server so the PostgreSQL store is tested too
# (scripts/with-postgres.sh), and runs the benchmark harness in its short mode.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/check-format.sh
for preset in debug sanitize; do
  echo "== $preset: build" >&2
  scripts/build.sh "$preset"
  if [ "$preset" = debug ]; then
    echo "== clang-tidy (server)" >&2
    scripts/check-tidy.sh
  fi
  echo "== $preset: test" >&2
  scripts/with-postgres.sh ctest --preset "$preset" --timeout 300 -j2
done
# The benchmark harness in its short mode: builds the release binaries and the
# contestants, runs every contestant briefly, and fails only if something does
# not start or report. It asserts no numbers (see docs/performance.md).
echo "== benchmark harness (short)" >&2
/usr/bin/python3 bench/run.py --short
