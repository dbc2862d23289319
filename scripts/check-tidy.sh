#!/usr/bin/env bash
# clang-tidy over the room core, wire and auth code (the network code is checked
# the same way with `scripts/check-tidy.sh server/net`). Needs a configured
# build/debug for compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-tidy >/dev/null || { echo "clang-tidy missing" >&2; exit 1; }
dirs=("${@:-server/core server/wire server/auth}")
# shellcheck disable=SC2068
files=$(find ${dirs[@]} -name '*.cpp' ! -name 'json_src.cpp' ! -name 'boost_src.cpp' | sort)
# shellcheck disable=SC2086
clang-tidy --quiet -p build/debug $files
