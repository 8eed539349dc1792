#!/usr/bin/env bash
# tests/fuzz/run_fuzz.sh: one fuzz target for a fixed time budget, as a ctest.
#   run_fuzz.sh <fuzzer binary> <seed corpus dir> <work dir> <seconds> <max_len> [libFuzzer flags...]
# The seeds in the repo are only read: new inputs go to <work dir>/corpus
# (emptied first, so every run starts from the seeds). A crash, a leak, a
# sanitizer report, a timeout or a broken invariant stops libFuzzer with a
# non-zero status, which fails the test; the input is left in <work dir> as
# crash-* / leak-* / timeout-* / oom-* for reproduction:
#   <fuzzer binary> <work dir>/crash-<sha1>
set -uo pipefail
[ $# -ge 5 ] || { echo "usage: $0 FUZZER SEEDS WORKDIR SECONDS MAX_LEN [flags...]" >&2; exit 2; }
fuzzer=$1 seeds=$2 work=$3 seconds=$4 max_len=$5
shift 5

mkdir -p "$work"
rm -rf "$work/corpus"
mkdir -p "$work/corpus"
rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* "$work"/slow-unit-*

# -timeout: one input taking longer is a finding; -rss_limit_mb: so is memory
# beyond that; -max_len: see docs/testing.md (the deep-nesting overflow).
"$fuzzer" "$work/corpus" "$seeds" \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=25 -rss_limit_mb=2048 \
  -artifact_prefix="$work/" -print_final_stats=1 "$@" 2>&1 | tail -n 150
rc=${PIPESTATUS[0]}

found=$(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null)
if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
  echo "FUZZ FAILURE ($(basename "$fuzzer"), exit $rc). Inputs kept for reproduction:"
  for f in $found; do echo "  $fuzzer $f"; done
  exit 1
fi
echo "fuzz $(basename "$fuzzer"): ${seconds} s without a finding"
