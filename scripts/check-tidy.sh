#!/usr/bin/env bash
# clang-tidy over all server code (core, wire, auth, net, telemetry, app), or over
# the directories given as arguments. One clang-tidy per file, TIDY_JOBS at a time
# (default: the number of cores), because the Beast translation units take most of
# the time. Needs a configured build/debug for compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-tidy >/dev/null || { echo "clang-tidy missing" >&2; exit 1; }
[ -f build/debug/compile_commands.json ] || { echo "configure build/debug first" >&2; exit 1; }
[ $# -gt 0 ] || set -- server
# The network target's precompiled header is GCC's, which clang cannot read; the
# sources include what they use, so tidy parses them without it.
db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT
sed -E -e 's# -Winvalid-pch##g' -e 's# -include [^ ]*/cmake_pch\.hxx##g' \
  build/debug/compile_commands.json >"$db/compile_commands.json"
find "$@" -name '*.cpp' ! -name 'json_src.cpp' ! -name 'boost_src.cpp' -print0 | sort -z |
  xargs -0 -n1 -P"${TIDY_JOBS:-$(nproc)}" clang-tidy --quiet -p "$db"
