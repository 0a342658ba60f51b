#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the store tests and print the lines CI evals:
#   eval "$(bash scripts/ci-postgres.sh)"
# They export TILTAK_TEST_DATABASE_URL and set an EXIT trap in the caller's shell that stops the
# server and removes its directory, so CI leaves nothing running, also when a later step fails.
# Installs Debian's postgresql when no server binaries are present, creates a cluster in a fresh
# temp dir on a free loopback port (as the postgres user when run as root, since initdb refuses
# root), and creates a database. Only the export line goes to stdout; everything else to stderr.
set -euo pipefail

log() { echo "ci-postgres: $*" >&2; }

find_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; fi
}

BIN=$(find_bin)
if [ -z "$BIN" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "PostgreSQL is not installed and installing it needs root"
    exit 1
  fi
  log "installing postgresql from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q postgresql >&2
  BIN=$(find_bin)
  if [ -z "$BIN" ]; then
    log "postgresql was installed but no initdb was found under /usr/lib/postgresql"
    exit 1
  fi
fi

# The OS picks a free port; the tiny gap before the server binds it is acceptable for CI.
PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});")
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tiltak-pg.XXXXXX")
DB=tiltak_test

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  chown postgres "$DIR"
fi
chmod 700 "$DIR"

log "initdb in $DIR"
as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2 \
  || as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >&2
stop_server() {
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
# A failure between start and the final echo must not leave a server behind either.
trap 'stop_server' ERR

log "starting PostgreSQL on 127.0.0.1:$PORT"
as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c fsync=off" start >&2
as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB" >&2

trap - ERR
if [ "$(id -u)" -eq 0 ]; then
  stop_cmd="runuser -u postgres -- $BIN/pg_ctl -D $DIR/data -m fast -w stop"
else
  stop_cmd="$BIN/pg_ctl -D $DIR/data -m fast -w stop"
fi
log "stop with: $stop_cmd"
echo "export TILTAK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/$DB"
echo "trap '$stop_cmd >/dev/null 2>&1 || true; rm -rf $DIR' EXIT"
