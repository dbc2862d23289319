#!/usr/bin/env bash
# Fails when a C++ source differs from .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format missing; skipping format check" >&2; exit 0; }
files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find server clients tests -name '*.[ch]pp')
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
