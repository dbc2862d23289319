#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running demo: installs what is
# missing, builds, mints tokens for a facilitator and two participants in room
# "demo-group", prints browser join links and how to join with the terminal
# client, and runs hearthd on loopback (plain ws, development only) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release --target hearthd hearth-cli web_client

bin=build/release/server/app/hearthd
cli=build/release/clients/cli/hearth-cli
data=demo-data
port="${HEARTH_DEMO_PORT:-8080}"
room=demo-group

# The admin API, with a key kept in the demo's data directory.
mkdir -p "$data" && chmod 700 "$data"
if [ ! -s "$data/admin.key" ]; then
  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$data/admin.key")
fi

mint() { "$bin" mint-token --data-dir "$data" --room "$room" --role "$1" --subject "$2" --name "$3" --ttl 43200; }
facilitator=$(mint facilitator demo-facilitator "Dana (facilitator)")
alex=$(mint participant demo-participant-1 "Alex")
sam=$(mint participant demo-participant-2 "Sam")

cat <<TXT

Hearth demo: room "$room" on ws://127.0.0.1:$port/v1/ws (tokens valid 12 hours)

  facilitator (Dana): $facilitator

  participant (Alex): $alex

  participant (Sam):  $sam

Join in a browser (one window or profile per person; the token rides in the
link's fragment, which the browser never sends to the server):

  facilitator console: http://127.0.0.1:$port/#token=$facilitator
  Alex:                http://127.0.0.1:$port/#token=$alex
  Sam:                 http://127.0.0.1:$port/#token=$sam

Or join from another terminal, one per person, for example:

  HEARTH_TOKEN='$alex' $cli --url ws://127.0.0.1:$port/v1/ws

Type a line to chat, "/private TEXT" to write to the facilitators, "/quit" to leave.
Turn-taking: "/hand", "/done", "/pass"; the facilitator runs the floor with
"/grant", "/round 90 15" (a check-in round, 90 s each, warned 15 s before) and
more: "/help" lists every command (docs/facilitator-guide.md explains them).
"/distress" sends a silent alert only the facilitators see.

Attendance so far (admin API, docs/admin-api.md):
  curl -H "Authorization: Bearer \$(cat $data/admin.key)" http://127.0.0.1:$port/admin/v1/sessions/$room/attendance
Health: curl http://127.0.0.1:$port/healthz   Metrics: curl http://127.0.0.1:$port/metrics

TXT
exec "$bin" --listen "127.0.0.1:$port" --data-dir "$data" --insecure-plaintext \
  --admin-key-file "$data/admin.key" --join-url "http://127.0.0.1:$port/"
