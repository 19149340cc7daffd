#!/usr/bin/env bash
# 60-bench-smoke.sh — CI smoke of the benchmark harness: runs scripts/bench.sh --quick and checks
# that it produced a table with a row per contender in each regime, a run record per contender, a
# chart, and the capacity table with fewer 503s for --maxInFlight=auto than for the fixed limit; then
# a tiny run of the store scenario (--scenario store: S3Proxy behind the 30 ms proxy).
# Speed is never asserted (benchmarks are not timed tests; CI machines vary).
# Run by scripts/test.sh, or alone: scripts/suites/60-bench-smoke.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF'
Usage: scripts/suites/60-bench-smoke.sh

Runs scripts/bench.sh --quick (2,000 entries, 1 round, both regimes; aria2c on the first 500, as
the full run puts it on its first 20,000; docs/ untouched) in
$MASSFETCH_ROOT/.run/bench-smoke and checks its outputs: results.md has, for each regime, one row
per contender (the embedded-Flink row may say "not built"), runs.jsonl one record per contender and
regime, aria2c's runs fetched and verified exactly those 500, benchmarks.png is a PNG; the capacity scenario has its table with a row for auto and for
the fixed limit, --maxInFlight=auto drew fewer 503s from the origin than the fixed limit, and the
origin counted nothing in flight after either run. Prints PASS:/FAIL: lines and
"60-bench-smoke: N passed, N failed".
Environment: BENCH_SMOKE_TIMEOUT (seconds, default 1800: the first use also installs the venv, and a loaded machine is slow).
EOF

work="$MASSFETCH_ROOT/.run/bench-smoke"
contenders=(massfetch-direct massfetch-direct-checks massfetch-flink aiohttp-original aiohttp-bounded
            curl aria2c img2dataset wrk)
# The table's first column for each contender (scripts/bench/bench.py LABELS).
labels=("massfetch (DirectRunner)" "massfetch (DirectRunner, checks on)" "massfetch (embedded Flink)" "aiohttp original" "aiohttp bounded"
        "curl --parallel" "aria2c -i" "img2dataset" "wrk (server ceiling")

rm -rf "$work"
mkdir -p "$work"
rc=0
started=$SECONDS
# timeout signals bench.sh's process group; bench.sh's trap stops the origins it started.
aria2c_entries=500
timeout -k 30 "${BENCH_SMOKE_TIMEOUT:-1800}" "$MASSFETCH_ROOT/scripts/bench.sh" --quick --no-docs \
  --aria2c-entries "$aria2c_entries" --work "$work" >"$work/bench.out" 2>"$work/bench.err" || rc=$?
took=$((SECONDS - started))
check "bench.sh --quick exits 0 (took ${took}s, not asserted)" [ "$rc" -eq 0 ]
if [ "$rc" -ne 0 ]; then
  tail -n 20 "$work/bench.err"
fi

md="$work/results.md"
check "results.md written" [ -s "$md" ]

# rows_in REGIME_HEADING LABEL: lines of the table under the heading that start with "| LABEL".
rows_in() {
  awk -v h="$1" -v l="| $2" '
    /^#### / { inside = index($0, h) > 0; next }
    inside && index($0, l) == 1 { n++ }
    END { print n + 0 }' "$md" 2>/dev/null
}
for heading in "No added latency" "100 ms added per request"; do
  for label in "${labels[@]}"; do
    check "table '$heading' has one row for '$label'" [ "$(rows_in "$heading" "$label")" -eq 1 ]
  done
done

runs="$work/runs.jsonl"
for c in "${contenders[@]}"; do
  for ms in 0 100; do
    check "runs.jsonl: a record for $c at $ms ms (a run, or the reason it was skipped)" python3 "$py_dir/bench_smoke_run_record.py" "$runs" "$c" "$ms"
  done
done
check "aria2c ran on the first $aria2c_entries entries in both regimes, every one stored, and the table says so" \
  python3 "$py_dir/bench_smoke_aria2c.py" "$runs" "$aria2c_entries" "$md"
check "benchmarks.png is a PNG" bash -c "head -c 8 '$work/benchmarks.png' | od -An -c | grep -q 'P   N   G'"

# The capacity scenario (scripts/bench/report.py capacity_table; rows start with the limit).
capacity_heading="Origin refusing above"
check "results.md has the capacity table" grep -q "^#### $capacity_heading" "$md"
for limit in auto 1024; do
  check "capacity table has one row for --maxInFlight=$limit" [ "$(rows_in "$capacity_heading" "$limit |")" -eq 1 ]
done
check "capacity: auto drew fewer 503s than --maxInFlight=1024, and the origin leaked no place" python3 "$py_dir/bench_smoke_capacity.py" "$runs"

# The store scenario, tiny: 200 images into S3Proxy behind the 30 ms proxy, no resumed run (one
# massfetch run and S3Proxy's start; 81 s on 2 cores at load average 45, most of it waiting for CPU).
# Asserted: all ok, and exactly one PUT and no HEAD or GET per stored image, counted by the proxy.
store_rc=0
started=$SECONDS
timeout -k 30 600 "$MASSFETCH_ROOT/scripts/bench.sh" --scenario store --entries 200 --stores s3 \
  --no-resume --work "$work/store-smoke" >"$work/store.out" 2>"$work/store.err" || store_rc=$?
check "bench.sh --scenario store (200 images into s3) exits 0 (took $((SECONDS - started))s)" [ "$store_rc" -eq 0 ]
[ "$store_rc" -eq 0 ] || tail -n 20 "$work/store.err"
check "store scenario: s3 all ok, exactly 1 PUT and 0 HEAD/GET per image" python3 "$py_dir/bench_smoke_store.py" "$work/store-smoke/store/runs.jsonl"

if [ "$SUITE_FAILED" -eq 0 ]; then
  rm -rf "$work/out" "$work/inputs" "$work/store-smoke"
fi
suite_end
