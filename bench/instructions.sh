#!/usr/bin/env bash
# Instructions hearthd executes per delivered event, counted by callgrind: the
# same binary and workload give the same count whatever else the machine does,
# so a hot-path change can be judged on a noisy machine. Runs the workload once
# idle and once at RATE messages/s and divides the difference by the deliveries.
# It counts user space only, on the network thread; the kernel's share is in
# bench/run.py's CPU figures.
#   usage: bench/instructions.sh [RATE] [ROOMS] [MEMBERS]   (default 300 50 10)
# HEARTH_KEEP_CALLGRIND=DIR keeps both profiles there (callgrind_annotate reads them).
set -euo pipefail
cd "$(dirname "$0")/.."
rate="${1:-300}"
rooms="${2:-50}"
members="${3:-10}"
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
scripts/build.sh release --target hearthd hearth-loadgen >/dev/null
hearthd=build/release/server/app/hearthd
loadgen=build/release/bench/loadgen/hearth-loadgen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints "instructions delivered".
measure() {
  local dir="$work/$1"
  mkdir -p "$dir"
  # Per thread: only the network thread (--threads 1: the main thread) is
  # counted. The store's writer thread commits attendance for every join and
  # leave in batches whose grouping varies from run to run; it is not on the
  # delivery path and would only add noise.
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$dir/callgrind.out" "$hearthd" \
    --listen 127.0.0.1:0 --data-dir "$dir" --insecure-plaintext --port-file "$dir/port" \
    --threads 1 --log-level warn --rate-per-second 1000 --rate-burst 2000 \
    2>"$dir/valgrind.log" &
  local pid=$!
  for _ in $(seq 200); do [ -s "$dir/port" ] && break; sleep 0.1; done
  "$loadgen" --mode hearth --port "$(cat "$dir/port")" --data-dir "$dir" --rooms "$rooms" \
    --members "$members" --rate "$2" --warmup 0.5 --duration 4 --drain 10 >"$dir/result.json"
  kill "$pid"
  wait "$pid" || true
  local ir
  ir=$(awk '/^summary:/ {print $2}' "$dir/callgrind.out-01")
  if [ -n "${HEARTH_KEEP_CALLGRIND:-}" ]; then
    mkdir -p "$HEARTH_KEEP_CALLGRIND"
    cp "$dir/callgrind.out-01" "$HEARTH_KEEP_CALLGRIND/$1.callgrind"
  fi
  /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sys.argv[2], d['delivered'])" \
    "$dir/result.json" "$ir"
}

read -r idle_ir _ < <(measure idle 0)
read -r loaded_ir delivered < <(measure loaded "$rate")
echo "rooms $rooms x $members, $rate messages/s for 4 s: $delivered deliveries"
echo "instructions: idle $idle_ir, loaded $loaded_ir"
/usr/bin/python3 -c "print('instructions per delivery: %.0f' % ((int('$loaded_ir') - int('$idle_ir')) / int('$delivered')))"
