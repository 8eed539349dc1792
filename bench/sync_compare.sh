#!/usr/bin/env bash
# Sync throughput against its reference, in one run (issue 13):
#   1. build/native/src/server/sync_bench: push and pull of N operations
#      through the real dianhong_server (gzip both ways, as the app sends);
#   2. bench/sync_pouch/run.js: PouchDB 9 replicating the SAME operations, as
#      documents, to and from express-pouchdb (memory adapter) on loopback;
# then one table with both and the ratio.
#
#   bench/sync_compare.sh [--ops N] [--runs R] [--bench PATH] [--server PATH]
#   (defaults 100000, 3, this tree's build/native sync_bench and server;
#   --bench/--server run other builds, e.g. copies of a base commit's, to
#   compare before and after in the same conditions)
#
# sync_bench runs R times (its wall time swings by a third on this shared
# machine) and the table shows its MEDIAN run by total, with every run's
# total listed; PouchDB (50 s a run) runs once.
#
# Needs the native build (script/build native) and node/npm; the PouchDB
# packages are installed by name from npm into bench/sync_pouch/node_modules
# the first time (package-lock.json pins them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ops=100000
runs=3
bench="$root/build/native/src/server/sync_bench"
server_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ops) ops="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --bench) bench="$2"; shift 2 ;;
    --server) server_args=(--server "$2"); shift 2 ;;
    *) echo "usage: bench/sync_compare.sh [--ops N] [--runs R] [--bench PATH] [--server PATH]" >&2; exit 2 ;;
  esac
done
[ -x "$bench" ] || { echo "sync_compare: $bench is missing; run script/build native first" >&2; exit 1; }
pouch="$root/bench/sync_pouch"
if [ ! -d "$pouch/node_modules/pouchdb" ] || [ ! -d "$pouch/node_modules/express-pouchdb" ]; then
  echo "installing PouchDB for the reference (npm, bench/sync_pouch)"
  (cd "$pouch" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

docs="$(mktemp /tmp/dh-sync-compare-XXXXXX.jsonl)"
trap 'rm -f "$docs"' EXIT

all=""
for run in $(seq 1 "$runs"); do
  echo "== Dianhong, run $run of $runs: sync_bench --ops $ops --batch 2000 --page 1000 (gzip both ways)"
  line="$("$bench" --ops "$ops" --batch 2000 --page 1000 --dump-ops "$docs" ${server_args[@]+"${server_args[@]}"} | tee /dev/stderr | grep '^RESULT ')"
  all="$all$line"$'\n'
done
# The median run by total_s.
ours="$(printf '%s' "$all" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^total_s=/) { split($i, kv, "="); print kv[2], $0 } }' \
        | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { $1 = ""; sub(/^ /, ""); print }')"
totals="$(printf '%s' "$all" | sed -n 's/.*total_s=\([0-9.]*\).*/\1/p' | sort -n | tr '\n' ' ')"
echo "== PouchDB 9 + express-pouchdb 4, memory adapter, the same $ops operations as documents"
theirs="$(node "$pouch/run.js" --docs "$docs" --batch 2000 --page 1000 | tee /dev/stderr | grep '^RESULT ')"

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
o_push=$(field "$ours" push_s); o_pull=$(field "$ours" pull_s)
o_up=$(field "$ours" push_up_bpo); o_down=$(field "$ours" pull_down_bpo)
p_push=$(field "$theirs" push_s); p_pull=$(field "$theirs" pull_s)
p_up=$(field "$theirs" push_up_bpo); p_down=$(field "$theirs" pull_down_bpo)
echo
echo "$ops operations over loopback, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Dianhong push + pull totals of the $runs runs, s: $totals(the table: the median)"
awk -v ops="$ops" -v op="$o_push" -v ol="$o_pull" -v ou="$o_up" -v od="$o_down" \
    -v pp="$p_push" -v pl="$p_pull" -v pu="$p_up" -v pd="$p_down" 'BEGIN {
  printf "| %-10s | %8s | %8s | %8s | %12s | %14s |\n", "", "push s", "pull s", "total s", "push B/op up", "pull B/op down"
  printf "| %-10s | %8.2f | %8.2f | %8.2f | %12.0f | %14.0f |\n", "Dianhong", op, ol, op + ol, ou, od
  printf "| %-10s | %8.2f | %8.2f | %8.2f | %12.0f | %14.0f |\n", "PouchDB", pp, pl, pp + pl, pu, pd
  printf "| %-10s | %7.1fx | %7.1fx | %7.1fx |              |                |\n", "ratio", pp / op, pl / ol, (pp + pl) / (op + ol)
  ok = (op + ol) < 3 && ou <= 100 && od <= 100 && (pp + pl) / (op + ol) >= 5
  if (ops != 100000) print "goal: stated for 100,000 operations (run without --ops)"
  else printf "goal (push + pull under 3 s, at most 100 B/op each way, at least 5x PouchDB): %s\n", ok ? "met" : "NOT met"
}'
