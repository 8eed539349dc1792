#!/usr/bin/env bash
# Memory of open communities (docs/communities.md "Memory"): the resident set
# (VmRSS) of one dianhong_server --communities process as it opens N demo
# communities (35,956 operations each) one after the other, then the same
# with --communities-open 1 (each opening closes the one before).
#
#   bench/community_memory.sh [SERVER_BINARY]      (N=3 by default: N=5 bench/...)
#
# First it fills N stores with --demo (not measured: the demo is generated
# and written once); the measured runs open the stores as a restart would.
set -euo pipefail
BIN=${1:-build/native/src/server/dianhong_server}
N=${N:-3}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=0
for i in $(seq 1 "$N"); do echo "c$i c$i.test"; done > "$work/communities.conf"

start() {  # start ARGS...: sets pid and port
  "$BIN" --port 0 --data "$work/data" --communities "$work/communities.conf" "$@" > "$work/out.txt" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    if grep -q "Dianhong is running" "$work/out.txt"; then break; fi
    sleep 0.1
  done
  port=$(sed -n 's/.*Dianhong is running: open http:\/\/[^:]*:\([0-9]*\)\/.*/\1/p' "$work/out.txt")
}
stop() { kill "$pid"; wait "$pid" || true; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
touch_community() {  # the first API request opens it
  curl -s -o /dev/null -H "Host: c$1.test" "http://127.0.0.1:$port/api/v1/health"
}

start --demo --communities-open "$N"
for i in $(seq 1 "$N"); do touch_community "$i"; done
stop

for bound in "$N" 1; do
  start --communities-open "$bound"
  base=$(rss_kb)
  echo "--communities-open $bound: $N communities configured, none open: RSS $((base / 1024)) MB"
  prev=$base
  for i in $(seq 1 "$N"); do
    t0=$(date +%s%N)
    touch_community "$i"
    t1=$(date +%s%N)
    now=$(rss_kb)
    echo "  opened c$i in $(( (t1 - t0) / 1000000 )) ms: RSS $((now / 1024)) MB (+$(( (now - prev) / 1024 )) MB)"
    prev=$now
  done
  echo "  per open demo community: $(( (prev - base) / 1024 / (bound < N ? bound : N) )) MB on average"
  stop
done
