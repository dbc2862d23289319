#!/usr/bin/env bash
# Installs, by name from Debian's registry, every package Hearth needs to build,
# run and test. Does nothing for packages already present, so it is cheap to rerun.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config clang-format clang-tidy
  libboost1.81-dev
  libprotobuf-dev protobuf-compiler
  libssl-dev openssl
  liburing-dev
  libsqlite3-dev tzdata
  libpango1.0-dev libcairo2-dev fonts-dejavu-core
  poppler-utils
  libpq-dev postgresql
  libgtest-dev libgmock-dev
  python3 python3-websockets python3-protobuf
  chromium
)
# The browser client builds with Node.js and npm: Debian's, unless a node is
# already on the machine (then its own npm comes with it).
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

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

# The browser client's npm packages, exactly as locked; again only when the
# lock file changed since the last install.
web="$(dirname "$0")/../clients/web"
if [ ! -f "$web/node_modules/.package-lock.json" ] ||
   [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
fi
