#!/usr/bin/env bash
# County load on loopback (issue 14 "Proof and figures"; bench/README.md
# "county_load"): N communities of demo-sized data, D simulated devices
# syncing for T seconds, measured by build/native/src/server/county_load.
#
#   bench/county_load.sh pgschema|pg|sqlite|both|all
#
#   pgschema: a throwaway PostgreSQL 15 (script/pg), ONE database `county`
#           with a schema per community (dh_<id>, '-' -> '_';
#           docs/communities.md), the --store template without {community},
#           two dianhong_server --communities processes behind nginx
#           (script/cluster --servers 2 --shared-data).
#   pg:     the same with a database per community (fq_<id>, the template
#           postgresql://.../fq_{community}).
#   sqlite: one dianhong_server --communities process, a SQLite file per
#           community, no nginx.
#   both:   pg, then sqlite.   all: pgschema, pg, then sqlite.
#
# In the PostgreSQL modes: with KILL_AT=S the first server is SIGKILLed S
# seconds into the load; with BYHOST=1 (the default) nginx routes by Host
# name (script/cluster --by-host: each community to one server while it is
# up), BYHOST=0 round robin. nginx's access log then says which server
# answered each community; the PostgreSQL backends are counted every 2 s
# during the load (peak and at the end printed).
#
# Environment: N (communities, default 200), D (devices, default 2000),
# T (seconds of load, default 60), INTERVAL (seconds between a device's
# pushes, default 5), OPS (operations a push, default 3), THREADS (default
# 48: below the server's 64 connections per address), KILL_AT and BYHOST
# (PostgreSQL modes), OPEN (--communities-open, default N), PORT (default
# 18400), WORK (default /tmp/dh-county-load; emptied first),
# PG_MAX_CONNECTIONS (default: from the bound of each mode, below).
#
# Seeding (not measured): the demo is generated and loaded once, by a server
# with --demo into one community "seed"; then each community's store is a
# copy: for pgschema each community's schema gets copies of dh_seed's store
# tables (ops, rejected, withdrawn, upstream, meta: CREATE TABLE ... (LIKE
# dh_seed.T INCLUDING ALL) and INSERT ... SELECT, in a PL/pgSQL loop, 20
# communities a transaction), not its registry tables; for pg CREATE
# DATABASE fq_<id> TEMPLATE fq_seed with the registry emptied; for SQLite a
# file copy with the device registry emptied (its tables share the file).
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
BYHOST=${BYHOST:-1}
case "$MODE" in pgschema|pg|sqlite|both|all) ;; *) echo "usage: bench/county_load.sh pgschema|pg|sqlite|both|all" >&2; exit 2 ;; esac
case "$BYHOST" in 0|1) ;; *) echo "BYHOST is 0 or 1" >&2; exit 2 ;; esac
want() {  # want MODE: is that part of this run?
  [ "$MODE" = "$1" ] || { [ "$MODE" = both ] && [ "$1" != pgschema ]; } || [ "$MODE" = all ]
}

rm -rf "$WORK"
mkdir -p "$WORK"
seed_pid=0
sqlite_pid=0
sampler_pid=0
cleanup() {
  [ "$seed_pid" = 0 ] || kill "$seed_pid" 2>/dev/null || true
  [ "$sampler_pid" = 0 ] || kill "$sampler_pid" 2>/dev/null || true
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

PG_MAX_FROM_ENV=${PG_MAX_CONNECTIONS:-}

# schema_copy_sql SCHEMA...: SQL giving each SCHEMA copies of dh_seed's store
# tables with their rows (not the registry tables: each community makes its
# own). One DO block, so one transaction and one round trip, per 20 schemas.
schema_copy_sql() {
  local list
  while [ $# -gt 0 ]; do
    list=$(printf "'%s'," "${@:1:20}")
    shift $(($# < 20 ? $# : 20))
    cat <<SQL
DO \$\$
DECLARE s text; t text;
BEGIN
  FOREACH s IN ARRAY ARRAY[${list%,}]::text[] LOOP
    EXECUTE format('CREATE SCHEMA %I', s);
    FOREACH t IN ARRAY ARRAY['ops', 'rejected', 'withdrawn', 'upstream', 'meta'] LOOP
      EXECUTE format('CREATE TABLE %I.%I (LIKE dh_seed.%I INCLUDING ALL)', s, t, t);
      EXECUTE format('INSERT INTO %I.%I SELECT * FROM dh_seed.%I', s, t, t);
    END LOOP;
  END LOOP;
END
\$\$;
SQL
  done
}

# The schema of each community of the communities file: dh_<id>, '-' -> '_'.
community_schemas() {
  local id
  while read -r id _; do
    [ -n "$id" ] && echo "dh_${id//-/_}"
  done <"$WORK/communities.conf"
}

# cluster_load CONNINFO TEMPLATE: two servers behind nginx on --store
# TEMPLATE (all N communities), the load, nginx's and PostgreSQL's figures;
# then the cluster stops and its folder goes. Returns the load's status
# (call it plainly, not in an || list, which would turn off set -e inside).
cluster_load() {
  local conn=$1 template=$2 by_host=() kill_args=() status=0 pids postmaster routing="round robin"
  [ "$BYHOST" = 0 ] || { by_host=(--by-host); routing="by Host name"; }
  "$ROOT/script/cluster" start "$WORK/cluster" --servers 2 --port "$PORT" --store "$template" --shared-data \
    "${by_host[@]}" -- --communities "$WORK/communities.conf" --communities-open "$OPEN"
  pids="$(cat "$WORK/cluster/server-1.pid"),$(cat "$WORK/cluster/server-2.pid")"
  postmaster=$(head -1 "$WORK/pg/data/postmaster.pid")
  [ -z "${KILL_AT:-}" ] || kill_args=(--kill-one-at "$KILL_AT")
  # PostgreSQL's client backends (this query's own left out), every 2 s.
  : >"$WORK/backends.txt"
  (
    while :; do
      psql -tA "$conn" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" \
        >>"$WORK/backends.txt" 2>/dev/null || true
      sleep 2
    done
  ) &
  sampler_pid=$!
  echo "+ county_load --port $PORT --devices $D --seconds $T --interval $INTERVAL --ops $OPS --threads $THREADS (--communities-open $OPEN, nginx $routing) ${kill_args[*]}"
  "$LOAD" --port "$PORT" --communities "$WORK/communities.conf" --data "$WORK/cluster/data" --devices "$D" \
    --seconds "$T" --interval "$INTERVAL" --ops "$OPS" --threads "$THREADS" --server-pids "$pids" \
    --pg-postmaster "$postmaster" "${kill_args[@]}" || status=$?
  echo "PostgreSQL client backends at the end of the load: $(psql -tA "$conn" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()") (all backends: $(psql -tA "$conn" -c "SELECT count(*) FROM pg_stat_activity")); peak during the run (sampled every 2 s): $(sort -n "$WORK/backends.txt" | tail -1); memory available: $(awk '/MemAvailable/ {print int($2/1024)}' /proc/meminfo) MB"
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=0
  local log="$WORK/cluster/nginx/access.log"
  echo "nginx: answers by status: $(awk '{print $9}' "$log" | sort | uniq -c | tr -s ' \n' ' '); upstream errors in its log: $(grep -c 'upstream' "$WORK/cluster/nginx/error.log" || true)"
  # The access log's quoted fields (deploy/nginx/cluster.conf.in, format
  # "dianhong"): $8 the Host name, $10 the server(s) that answered ("A, B"
  # when nginx sent the request on to B; the last one answered).
  awk -F'"' 'NF >= 11 {
      n = split($10, a, ", "); up = a[n]; by[up]++
      if (!(($8, up) in pair)) { pair[$8, up] = 1; servers_of[$8]++ }
    }
    END {
      printf "nginx: requests by server:"
      for (u in by) printf " %s %d", u, by[u]
      hosts = 0; shared = 0
      for (h in servers_of) { hosts++; if (servers_of[h] > 1) shared++ }
      printf "; Host names answered by more than one server: %d of %d\n", shared, hosts
    }' "$log"
  "$ROOT/script/cluster" stop "$WORK/cluster" >/dev/null
  rm -rf "$WORK/cluster"
  return "$status"
}

# pg_start MAX_CONNECTIONS: the throwaway PostgreSQL in $WORK/pg (fresh);
# sets conn (to the database postgres) and base (without /postgres).
pg_start() {
  export PG_MAX_CONNECTIONS=${PG_MAX_FROM_ENV:-$1}
  echo "PostgreSQL max_connections $PG_MAX_CONNECTIONS"
  rm -rf "$WORK/pg"
  "$ROOT/script/pg" start "$WORK/pg" >/dev/null
  conn=$(cat "$WORK/pg/conninfo")
  base=${conn%/postgres}
}

pg_stop() {
  "$ROOT/script/pg" stop "$WORK/pg" >/dev/null
  rm -rf "$WORK/pg" "$WORK/seed-data"
}

if want pgschema; then
  echo "== PostgreSQL, one database, a schema per community: $N communities, 2 servers behind nginx"
  # One pool per server process, shared by its communities (at most 2 x
  # --pg-connections, default 8: src/server/pg_pool.h) and one LISTEN
  # connection, plus room for psql and PostgreSQL's own.
  pg_start $((2 * (2 * 8 + 1) + 50))
  psql -q "$conn" -c "CREATE DATABASE county"
  template="$base/county"
  t0=$(date +%s)
  rm -rf "$WORK/seed-data"
  STORE="$template" seed
  # Each community's schema gets copies of the seed's store tables; the
  # seed's schema and the county's registry (made with the seed server's
  # key) go, so the cluster makes them afresh with its own.
  # shellcheck disable=SC2046
  schema_copy_sql $(community_schemas) | psql -q -v ON_ERROR_STOP=1 "$base/county"
  psql -q -v ON_ERROR_STOP=1 "$base/county" \
    -c "SET client_min_messages = warning; DROP SCHEMA dh_seed CASCADE; DROP SCHEMA IF EXISTS dh_county CASCADE;"
  # Hint bits, visibility map and statistics now, not by autovacuum during
  # the load (the copied rows are all new; a database copied with CREATE
  # DATABASE ... TEMPLATE keeps the seed's pages as they were).
  psql -q "$base/county" -c "VACUUM (ANALYZE)"
  echo "seeded $N schemas from the demo in $(( $(date +%s) - t0 )) s ($(psql -tA "$base/county" -c "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'dh_c1' AND c.relkind = 'r'") each, database $(psql -tA "$base/county" -c "SELECT pg_size_pretty(pg_database_size('county'))"))"
  cluster_load "$conn" "$template"  # on failure: exit, its status; the EXIT trap stops all
  pg_stop
fi

if want pg; then
  echo "== PostgreSQL, a database per community: $N communities, 2 servers behind nginx"
  # An open community's PostgreSQL store holds 6 connections (its own pool
  # of 5: pg_op_store.h kOwnPoolSize, and a LISTEN connection), in each
  # server; every community's device list one more, open or not.
  pg_start $((OPEN * 6 * 2 + N * 2 + 50))
  template="$base/fq_{community}"
  psql -q "$conn" -c "CREATE DATABASE fq_seed"
  t0=$(date +%s)
  rm -rf "$WORK/seed-data"
  STORE="$template" seed
  # The registry is in the database too (docs/communities.md "PostgreSQL"):
  # emptied, so each community makes its own (and the cluster's key is used).
  psql -q "$base/fq_seed" -c "DELETE FROM dianhong.devices; DELETE FROM dianhong.enrol_codes; DELETE FROM dianhong.registry_meta;"
  for i in $(seq 1 "$N"); do echo "CREATE DATABASE fq_c$i TEMPLATE fq_seed;"; done | psql -q "$conn"
  echo "seeded $N databases from the demo in $(( $(date +%s) - t0 )) s ($(psql -tA "$base/fq_seed" -c "SELECT pg_size_pretty(pg_database_size('fq_seed'))") each)"
  cluster_load "$conn" "$template"  # on failure: exit, its status; the EXIT trap stops all
  pg_stop
fi

if want sqlite; then
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
