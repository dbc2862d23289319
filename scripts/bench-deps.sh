#!/usr/bin/env bash
# Installs what the fan-out benchmark needs beyond scripts/install-deps.sh: Node and
# npm for the Node contestants, taskset for pinning, and the Node packages pinned in
# bench/peers/node/package-lock.json. Cheap to rerun: it skips what is present.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v taskset >/dev/null || missing+=(util-linux)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages and not root; run as root or install them: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci starts from an empty node_modules every time, so it runs only when the
# lockfile differs from the one last installed.
node_dir=bench/peers/node
stamp="$node_dir/node_modules/.installed-lock.json"
if ! cmp -s "$node_dir/package-lock.json" "$stamp"; then
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$node_dir/package-lock.json" "$stamp"
fi
