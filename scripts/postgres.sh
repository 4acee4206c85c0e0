#!/usr/bin/env bash
# A PostgreSQL 15 server of the project's own, on loopback, for the metering service's
# server backend (its tests and its benchmark). Debian's postgresql-15 is installed with
# apt-get when missing. The cluster is throwaway test data, so it lives under /tmp (PG_HOME),
# owned by the `postgres` system user when run as root: the server refuses to run as root,
# and that user cannot enter root's home.
#
#   postgres.sh start    install if needed, init the cluster once, start, create the database
#   postgres.sh stop     stop the server (the cluster's files stay)
#   postgres.sh url      print the connection URL (ATTRIB_PG_URL)
#   postgres.sh status
#
# Settings (environment): PG_PORT (55432), PG_DB (attrib), PG_HOME (/tmp/attrib-postgres-<uid>).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
PG_PORT="${PG_PORT:-55432}"
PG_DB="${PG_DB:-attrib}"
PG_VERSION=15
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
PG_HOME="${PG_HOME:-/tmp/attrib-postgres-$(id -u)}"
PG_DATA="$PG_HOME/data-$PG_VERSION"
PG_SOCK="$PG_HOME/run"
PG_LOG="$PG_HOME/server.log"

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    # runuser keeps the environment out; the binaries take every path as an argument.
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

install_pg() {
  [ -x "$PG_BIN/postgres" ] && return
  step "installing Debian's postgresql-$PG_VERSION"
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "postgresql-$PG_VERSION" >&2 ||
    { "${sudo[@]}" apt-get update -q >&2 &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "postgresql-$PG_VERSION" >&2; }
}

running() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

url() { echo "postgresql://postgres@127.0.0.1:$PG_PORT/$PG_DB"; }

start() {
  install_pg
  mkdir -p "$PG_SOCK" "$(dirname "$PG_DATA")"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$PG_HOME"; fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    step "initializing a PostgreSQL $PG_VERSION cluster in $PG_DATA"
    # Loopback only, trust: a throwaway server for tests and benchmarks, never exposed.
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 30 \
      -o "-p $PG_PORT -k $PG_SOCK -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on -c synchronous_commit=on" \
      start >/dev/null
  fi
  if ! as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DB"
  fi
  url
}

stop() {
  if [ -f "$PG_DATA/PG_VERSION" ] && running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  status) if running; then echo "running on $(url)"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|url|status" >&2; exit 2 ;;
esac
