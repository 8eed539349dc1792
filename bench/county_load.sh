#!/usr/bin/env bash
# County load on loopback (issue 14 "Proof and figures"; bench/README.md
# "county_load"): N communities of demo-sized data, D simulated devices
# syncing for T seconds, measured by build/native/src/server/county_load.
#
#   bench/county_load.sh pg|sqlite|both
#
#   pg:     a throwaway PostgreSQL 15 (script/pg), a database per community
#           (fq_<id>), two dianhong_server --communities processes behind
#           nginx (script/cluster --servers 2 --shared-data); with KILL_AT=S
#           the first server is SIGKILLed S seconds into the load.
#   sqlite: one dianhong_server --communities process, a SQLite file per
#           community, no nginx.
#
# Environment: N (communities, default 200), D (devices, default 2000),
# T (seconds of load, default 60), INTERVAL (seconds between a device's
# pushes, default 5), OPS (operations a push, default 3), THREADS (default
# 48: below the server's 64 connections per address), KILL_AT (pg only), OPEN (--communities-open, default N), PORT
# (default 18400), WORK (default /tmp/dh-county-load; emptied first).
#
# Seeding (not measured): the demo is generated and loaded once, by a server
# with --demo into one community "seed"; then each community's store is a
# copy: CREATE DATABASE fq_<id> TEMPLATE fq_seed for PostgreSQL, a file copy
# with the device registry emptied (its tables share the file) for SQLite.
# Each community still gets its own registry, secret key and administrator
# code when the servers start. Every process started here is stopped at exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODE=${1:-both}
N=${N:-200}
D=${D:-2000}
T=${T:-60}
INTERVAL=${INTERVAL:-5}
OPS=${OPS:-3}
THREADS=${THREADS:-48}
OPEN=${OPEN:-$N}
PORT=${PORT:-18400}
WORK=${WORK:-/tmp/dh-county-load}
BUILD=${BUILD:-$ROOT/build/native}  # another build folder: BUILD=...
BIN=$BUILD/src/server/dianhong_server
LOAD=$BUILD/src/server/county_load
[ -x "$BIN" ] && [ -x "$LOAD" ] || { echo "build first: cmake --build build/native --target dianhong_server county_load" >&2; exit 2; }
case "$MODE" in pg|sqlite|both) ;; *) echo "usage: bench/county_load.sh pg|sqlite|both" >&2; exit 2 ;; esac

rm -rf "$WORK"
mkdir -p "$WORK"
seed_pid=0
sqlite_pid=0
cleanup() {
  [ "$seed_pid" = 0 ] || kill "$seed_pid" 2>/dev/null || true
  [ "$sqlite_pid" = 0 ] || kill "$sqlite_pid" 2>/dev/null || true
  [ ! -d "$WORK/cluster" ] || "$ROOT/script/cluster" stop "$WORK/cluster" >/dev/null 2>&1 || true
  [ ! -d "$WORK/pg" ] || "$ROOT/script/pg" stop "$WORK/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

for i in $(seq 1 "$N"); do echo "c$i c$i.county.test"; done >"$WORK/communities.conf"
echo "seed seed.county.test" >"$WORK/seed.conf"

# wait_running LOG PID: until the server says it runs; prints its port.
wait_running() {
  for _ in $(seq 1 600); do
    grep -q "Dianhong is running" "$1" && break
    kill -0 "$2" 2>/dev/null || { cat "$1" >&2; echo "server died" >&2; exit 1; }
    sleep 0.1
  done
  sed -n 's/.*Dianhong is running: open http:\/\/[^:]*:\([0-9]*\)\/.*/\1/p' "$1"
}

# seed STORE_ARGS...: the demo into community "seed" (a first API request
# opens it, and --demo fills it), then the server stops.
seed() {
  "$BIN" --host 127.0.0.1 --port 0 --data "$WORK/seed-data" --communities "$WORK/seed.conf" --demo "$@" \
    >"$WORK/seed.log" 2>&1 </dev/null &
  seed_pid=$!
  local port
  port=$(wait_running "$WORK/seed.log" "$seed_pid")
  curl -sf -o /dev/null -H "Host: seed.county.test" "http://127.0.0.1:$port/api/v1/health"
  kill "$seed_pid"
  wait "$seed_pid" || true
  seed_pid=0
}

if [ "$MODE" = pg ] || [ "$MODE" = both ]; then
  echo "== PostgreSQL: $N communities, 2 servers behind nginx"
  # An open community's PostgreSQL store holds 6 connections (a writer and 4
  # readers: pg_op_store.cpp, and the LISTEN connection), in each server;
  # every community's device list one more, open or not.
  export PG_MAX_CONNECTIONS=$((OPEN * 6 * 2 + N * 2 + 50))
  echo "PostgreSQL max_connections $PG_MAX_CONNECTIONS"
  "$ROOT/script/pg" start "$WORK/pg" >/dev/null
  conn=$(cat "$WORK/pg/conninfo")
  base=${conn%/postgres}
  template="$base/fq_{community}"
  psql -q "$conn" -c "CREATE DATABASE fq_seed"
  t0=$(date +%s)
  STORE="$template" seed
  # The registry is in the database too (docs/communities.md "PostgreSQL"):
  # emptied, so each community makes its own (and the cluster's key is used).
  psql -q "$base/fq_seed" -c "DELETE FROM dianhong.devices; DELETE FROM dianhong.enrol_codes; DELETE FROM dianhong.registry_meta;"
  for i in $(seq 1 "$N"); do echo "CREATE DATABASE fq_c$i TEMPLATE fq_seed;"; done | psql -q "$conn"
  echo "seeded $N databases from the demo in $(( $(date +%s) - t0 )) s ($(psql -tA "$base/fq_seed" -c "SELECT pg_size_pretty(pg_database_size('fq_seed'))") each)"
  "$ROOT/script/cluster" start "$WORK/cluster" --servers 2 --port "$PORT" --store "$template" --shared-data \
    -- --communities "$WORK/communities.conf" --communities-open "$OPEN"
  pids="$(cat "$WORK/cluster/server-1.pid"),$(cat "$WORK/cluster/server-2.pid")"
  postmaster=$(head -1 "$WORK/pg/data/postmaster.pid")
  kill_args=()
  [ -z "${KILL_AT:-}" ] || kill_args=(--kill-one-at "$KILL_AT")
  echo "+ county_load --port $PORT --devices $D --seconds $T --interval $INTERVAL --ops $OPS --threads $THREADS (--communities-open $OPEN) ${kill_args[*]}"
  status=0
  "$LOAD" --port "$PORT" --communities "$WORK/communities.conf" --data "$WORK/cluster/data" --devices "$D" \
    --seconds "$T" --interval "$INTERVAL" --ops "$OPS" --threads "$THREADS" --server-pids "$pids" \
    --pg-postmaster "$postmaster" "${kill_args[@]}" || status=$?
  echo "nginx: answers by status: $(awk '{print $9}' "$WORK/cluster/nginx/access.log" | sort | uniq -c | tr -s ' \n' ' '); upstream errors in its log: $(grep -c 'upstream' "$WORK/cluster/nginx/error.log" || true)"
  echo "PostgreSQL backends at the end: $(psql -tA "$conn" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"); memory available: $(awk '/MemAvailable/ {print int($2/1024)}' /proc/meminfo) MB"
  "$ROOT/script/cluster" stop "$WORK/cluster" >/dev/null
  "$ROOT/script/pg" stop "$WORK/pg" >/dev/null
  rm -rf "$WORK/seed-data"
  [ "$status" = 0 ] || exit "$status"
fi

if [ "$MODE" = sqlite ] || [ "$MODE" = both ]; then
  echo "== SQLite: $N communities, 1 server, no nginx"
  t0=$(date +%s)
  seed
  src="$WORK/seed-data/communities/seed/server.sqlite"
  # The registry shares the file: emptied, so each community makes its own.
  sqlite3 "$src" "DELETE FROM devices; DELETE FROM enrol_codes; DELETE FROM registry_meta; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  for i in $(seq 1 "$N"); do
    mkdir -p "$WORK/sqlite-data/communities/c$i"
    cp "$src" "$WORK/sqlite-data/communities/c$i/server.sqlite"
  done
  echo "seeded $N SQLite files from the demo in $(( $(date +%s) - t0 )) s ($(du -h "$src" | cut -f1) each)"
  "$BIN" --host 127.0.0.1 --port $((PORT + 10)) --data "$WORK/sqlite-data" --communities "$WORK/communities.conf" \
    --communities-open "$OPEN" >"$WORK/sqlite-server.log" 2>&1 </dev/null &
  sqlite_pid=$!
  wait_running "$WORK/sqlite-server.log" "$sqlite_pid" >/dev/null
  echo "+ county_load --port $((PORT + 10)) --devices $D --seconds $T --interval $INTERVAL --ops $OPS --threads $THREADS (--communities-open $OPEN)"
  status=0
  "$LOAD" --port $((PORT + 10)) --communities "$WORK/communities.conf" --data "$WORK/sqlite-data" --devices "$D" \
    --seconds "$T" --interval "$INTERVAL" --ops "$OPS" --threads "$THREADS" --server-pids "$sqlite_pid" || status=$?
  kill "$sqlite_pid"
  wait "$sqlite_pid" || true
  sqlite_pid=0
  [ "$status" = 0 ] || exit "$status"
fi
