#!/usr/bin/env bash
# Configures and builds one preset (debug, release or sanitize) with every target.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" "$@"
