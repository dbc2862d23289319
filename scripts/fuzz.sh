#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang 14, ASan + UBSan; preset `fuzz`, in
# build/fuzz) and fuzzes each for SECONDS (default 60) on a scratch copy of its
# committed corpus. Exits non-zero on any crash, sanitizer report or broken
# property; the input that caused it is saved under build/fuzz/artifacts/.
#   scripts/fuzz.sh [SECONDS [HARNESS...]]    # HARNESS: frame, token, ws_frame, ws_reader
#                                             # (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
names=("$@")
if [ "${#names[@]}" -eq 0 ]; then
  names=(frame token ws_frame ws_reader)
fi
targets=()
for name in "${names[@]}"; do
  case "$name" in
    frame | token | ws_frame | ws_reader) targets+=("hearth_fuzz_$name") ;;
    *)
      echo "unknown harness: $name (frame, token, ws_frame, ws_reader)" >&2
      exit 2
      ;;
  esac
done

scripts/install-deps.sh
# clang-14 brings the compiler; libclang-rt-14-dev holds libFuzzer and the
# sanitizer runtimes for it (libclang_rt.fuzzer-x86_64.a).
missing=()
for p in clang-14 libclang-rt-14-dev; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -ne 0 ]; then
  echo "installing: ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages and not root; run as root or install them: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

scripts/build.sh fuzz --target "${targets[@]}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for name in "${names[@]}"; do
  # Fuzz a copy: new inputs go there, and the committed corpus only grows by an
  # explicit -merge=1 (docs/fuzzing.md).
  work="build/fuzz/corpus-run/$name"
  artifacts="build/fuzz/artifacts/$name/"
  rm -rf "$work"
  mkdir -p "$work" "$artifacts"
  cp tests/fuzz/corpus/"$name"/* "$work"/
  extra=()
  if [ "$name" = token ]; then
    # Room for tokens just above verify_options::max_bytes (4096).
    extra+=(-max_len=8192 -dict=tests/fuzz/token.dict)
  fi
  echo "== fuzzing $name for ${seconds}s" >&2
  if ! build/fuzz/tests/fuzz/hearth_fuzz_"$name" -max_total_time="$seconds" \
    -artifact_prefix="$artifacts" -print_final_stats=1 "${extra[@]}" "$work"; then
    echo "== $name: FAILED; reproducer in $artifacts" >&2
    status=1
  fi
done
exit "$status"
