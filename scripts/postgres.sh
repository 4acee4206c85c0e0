#!/usr/bin/env bash
# A PostgreSQL 15 server of the project's own, for the metering service's PostgreSQL
# backend (its tests, its benchmark). Debian's postgresql-15 is installed with apt-get
# when missing. The cluster is throwaway test data under /tmp (PG_HOME), owned by the
# `postgres` system user when run as root (the server refuses to run as root, and that
# user cannot enter root's home). It never touches the system's own cluster: its data
# directory, port and socket directory are its own.
#
#   postgres.sh start    install if needed, init the cluster once, start, create the database
#                        (a no-op when already running); prints the URL
#   postgres.sh reset    start, and drop and create the database afresh; prints the URL
#   postgres.sh stop     stop the server (the cluster's files stay)
#   postgres.sh status   running or stopped (exit 1)
#   postgres.sh url      print the connection URL
#
# Settings (environment): PG_PORT (55432), PG_DB (attrib_meter_test),
# PG_HOME (/tmp/attrib-postgres-<uid>). Loopback only, trust authentication.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
PG_PORT="${PG_PORT:-55432}"
PG_DB="${PG_DB:-attrib_meter_test}"
PG_VERSION=15
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
PG_HOME="${PG_HOME:-/tmp/attrib-postgres-$(id -u)}"
PG_DATA="$PG_HOME/data"
PG_LOG="$PG_HOME/server.log"

as_pg() {
  if [ "$(id -u)" = 0 ]; then
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
  local install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "postgresql-$PG_VERSION")
  "${install[@]}" >&2 || { "${sudo[@]}" apt-get update -q >&2 && "${install[@]}" >&2; }
}

running() { [ -f "$PG_DATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

url() { echo "postgresql://postgres@127.0.0.1:$PG_PORT/$PG_DB"; }

psql_pg() { as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -q "$@"; }

start() {
  install_pg
  mkdir -p "$PG_HOME"
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_HOME"; fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    step "initializing a PostgreSQL $PG_VERSION cluster in $PG_DATA"
    # Trust: a throwaway server for tests and benchmarks, on loopback and a private socket.
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=trust -E UTF8 >/dev/null
  fi
  if ! running; then
    # Durable as in production: fsync and synchronous commit on.
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
      -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on -c synchronous_commit=on" \
      start >/dev/null
  fi
  if [ "$(psql_pg -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]; then
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DB"
  fi
  url
}

reset() {
  start >/dev/null
  psql_pg -d postgres -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"
  as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DB"
  url
}

stop() {
  if running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  fi
}

case "${1:-}" in
  start) start ;;
  reset) reset ;;
  stop) stop ;;
  url) url ;;
  status) if running; then echo "running on $(url)"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|reset|stop|status|url" >&2; exit 2 ;;
esac
