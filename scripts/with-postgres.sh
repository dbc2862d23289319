#!/usr/bin/env bash
# Runs CMD with a throwaway PostgreSQL 15 cluster listening on 127.0.0.1, then
# stops the cluster and deletes it, whatever CMD did. Usage:
#   scripts/with-postgres.sh CMD [ARGS...]
# CMD sees HEARTH_TEST_POSTGRES (a libpq conninfo for an empty database) and
# HEARTH_REQUIRE_POSTGRES=1, so the PostgreSQL tests run instead of skipping.
# The exit status is CMD's. Only binaries from Debian's postgresql-15 package are
# used. As root, the server runs as the `postgres` system user (initdb refuses
# root); otherwise as the current user. The cluster runs with fsync=on and
# synchronous_commit=on, as the store requires.
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi
bindir="${HEARTH_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
for tool in initdb pg_ctl createdb; do
  if [ ! -x "$bindir/$tool" ]; then
    echo "with-postgres: $bindir/$tool missing (install the postgresql package)" >&2
    exit 1
  fi
done

as_server=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id -u postgres >/dev/null 2>&1; then
    echo "with-postgres: running as root needs the postgres system user" >&2
    exit 1
  fi
  as_server=(runuser -u postgres --)
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/hearth-pg.XXXXXX")"
started=""
# shellcheck disable=SC2317  # reached through the EXIT trap
cleanup() {
  local rc=$?
  if [ -n "$started" ]; then
    pg pg_ctl stop -D "$dir/data" -m fast -w >/dev/null 2>&1 ||
      pg pg_ctl stop -D "$dir/data" -m immediate -w >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a PostgreSQL tool as the server's user, from inside the cluster's
# directory (the caller's working directory may be closed to that user).
pg() {
  local tool="$1"
  shift
  (cd "$dir" && "${as_server[@]}" "$bindir/$tool" "$@")
}

mkdir -m 0700 "$dir/socket"
if [ "${#as_server[@]}" -gt 0 ]; then
  chown -R postgres: "$dir"
  if ! runuser -u postgres -- test -w "$dir"; then
    echo "with-postgres: the postgres user cannot write $dir (set TMPDIR elsewhere)" >&2
    exit 1
  fi
fi

user=hearth
password="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
(umask 077 && printf '%s\n' "$password" >"$dir/pwfile")
[ "${#as_server[@]}" -eq 0 ] || chown postgres: "$dir/pwfile"
# The socket directory is private to the server's user, so local connections
# may trust; TCP needs the random password. --no-sync only skips flushing
# initdb's own files: the cluster is thrown away, and the server runs with fsync.
if ! pg initdb -D "$dir/data" -U "$user" --pwfile="$dir/pwfile" --auth-local=trust \
  --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  echo "with-postgres: initdb failed" >&2
  exit 1
fi
rm -f "$dir/pwfile"

# A free port: try a few at random; the server itself is the test of "free".
# From here on, the cleanup stops whatever may have started (a start that
# timed out may still come up).
started=1
port=""
for _ in 1 2 3 4 5 6 7 8; do
  candidate=$((15000 + RANDOM % 17000))
  if pg pg_ctl start -w -t 60 -D "$dir/data" -l "$dir/server.log" -o \
    "-c listen_addresses=127.0.0.1 -p $candidate -k $dir/socket -c fsync=on -c synchronous_commit=on" \
    >/dev/null 2>&1; then
    port="$candidate"
    break
  fi
done
if [ -z "$port" ]; then
  tail -n 20 "$dir/server.log" >&2 || true
  echo "with-postgres: the server did not start" >&2
  exit 1
fi

database=hearth_test
pg createdb -h "$dir/socket" -p "$port" -U "$user" "$database"
export HEARTH_TEST_POSTGRES="host=127.0.0.1 port=$port dbname=$database user=$user password=$password"
export HEARTH_REQUIRE_POSTGRES=1
echo "with-postgres: PostgreSQL on 127.0.0.1:$port (cluster $dir)" >&2

# CMD runs in the background so that a TERM or INT sent to this script alone
# reaches it too (a trap waits for a foreground command), and the cluster is
# still removed. Its standard input stays the script's.
set +e
"$@" <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' INT TERM
wait "$child"
status=$?
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  status=$?
done
set -e
exit "$status"
