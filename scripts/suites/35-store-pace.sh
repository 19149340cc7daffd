#!/usr/bin/env bash
# 35-store-pace.sh — the store's back-pressure slows the job: scripts/massfetch writes 300 images
# through scripts/store-proxy.sh (nginx + Lua) in front of the storage emulators:
#   (a) S3 (S3Proxy) behind a proxy that answers 503 SlowDown (S3's XML error) to 30 % of PUTs and
#       to every PUT above 40 in a second: every entry ok, no store_error, exactly one PUT per
#       image got through, and the uploads-in-flight limit ends below where it started;
#   (b) GCS (fake-gcs-server) behind a proxy that answers 429 rateLimitExceeded to 30 % of uploads:
#       the same checks;
#   (c) --maxWritesPerSecond=40 against S3 with no slow-downs: no wall-clock second saw more than
#       50 PUTs (40, the limiter's burst of 10 % and arrival jitter), and all 300 are ok.
# Run by scripts/test.sh, or alone: scripts/suites/35-store-pace.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF_USAGE'
Usage: scripts/suites/35-store-pace.sh

Starts S3Proxy and fake-gcs-server (scripts/storage-emulators.sh), an image origin
(scripts/origin.sh) and nginx proxies in front of the stores (scripts/store-proxy.sh), then runs
scripts/massfetch three times (about 40 s each) and checks results, proxy counts and the launcher's
"uploads in flight limit at end" figure. Work files go to $MASSFETCH_ROOT/.run/store-pace-suite
(removed when every check passed, unless STORE_PACE_KEEP=1).
Prints PASS:/FAIL: lines and closes with "35-store-pace: N passed, N failed".
EOF_USAGE

need_apt curl python3
work="$MASSFETCH_ROOT/.run/store-pace-suite"
proxy="$MASSFETCH_ROOT/scripts/store-proxy.sh"
count=300
export MASSFETCH_STORAGE_RUN="$work/emulators"
export AWS_EC2_METADATA_DISABLED=true

cleanup() {
  for p in s3-slow gcs-slow s3-plain; do "$proxy" stop --run-dir "$work/$p" >/dev/null 2>&1 || true; done
  "$origin" stop --run-dir "$work/origin" >/dev/null 2>&1 || true
  "$emu" stop all >/dev/null 2>&1 || true
  if [ "${STORE_PACE_KEEP:-0}" != 1 ] && [ "$SUITE_FAILED" -eq 0 ]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work"
"$emu" start all
eval "$("$emu" env)"
python3 "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$work/images" --count "$count" \
  --manifest "$work/manifest.txt" >/dev/null
url="$("$origin" start --root "$work/images" --run-dir "$work/origin")"

# run NAME OUTPUT STORE_OPTIONS...: one massfetch run, results in $work/NAME-results, stderr kept.
run() {
  local name="$1" output="$2"; shift 2
  local rc=0 started=$SECONDS
  # Short backoffs: the test is about never failing, not about waiting politely for minutes.
  timeout -k 10 600 "$massfetch" --manifest="$work/manifest.txt" --baseUrl="$url" --output="$output" \
    --results="$work/$name-results" --skipExisting=false --maxBackoffMs=2000 "$@" \
    >"$work/$name.out" 2>"$work/$name.err" || rc=$?
  check "$name: massfetch exits 0 (took $((SECONDS - started)) s)" [ "$rc" -eq 0 ]
  [ "$rc" -eq 0 ] || tail -n 15 "$work/$name.err"
}

# summary_ok NAME: every entry ok, no error class at all (store_error included).
summary_ok() {
  python3 "$py_dir/summary_all_ok.py" "$work/$1-results/summary.json" "$count"
}

# limit_dropped NAME: the launcher's "uploads in flight limit at end N of M" has N < M, and the
# store said slow down at least once.
limit_dropped() {
  local line
  line="$(grep -o 'uploads in flight limit at end [0-9]* of [0-9]*, store slow-downs [0-9]*' "$work/$1.err" || true)"
  echo "  ${line:-no uploads-in-flight figure in $work/$1.err}"
  [[ "$line" =~ at\ end\ ([0-9]+)\ of\ ([0-9]+),\ store\ slow-downs\ ([0-9]+) ]] &&
    [ "${BASH_REMATCH[1]}" -lt "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[3]}" -gt 0 ]
}

# stat NAME FIELD: a number from the proxy's stats ("writes", "slowdowns", "max_writes_per_second").
stat() { "$proxy" stats --run-dir "$work/$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }

# Writes a run sends besides its images: the pre-flight's probe object in the gs:// or s3:// output
# (results stay local here).
probe_writes=1

# one_write_each PROXY: writes that got through the proxy (writes - slowdowns) = one per image,
# plus the pre-flight's probe.
one_write_each() {
  local writes slow
  writes="$(stat "$1" writes)" slow="$(stat "$1" slowdowns)"
  echo "  proxy $1: $writes writes, $slow answered slow-down, $((writes - slow)) passed on"
  [ "$((writes - slow))" -eq "$((count + probe_writes))" ] && [ "$slow" -gt 0 ]
}

# (a) S3: 503 SlowDown to 30 % of PUTs and above 40 PUTs/s.
s3="$("$proxy" start --upstream "$MASSFETCH_TEST_S3_ENDPOINT" --flavor s3 --slowdown-percent 30 \
  --writes-per-second 40 --run-dir "$work/s3-slow")"
run s3-slow "s3://$MASSFETCH_TEST_BUCKET/pace-s3" --s3Endpoint="$s3" --s3PathStyle=true
check "s3-slow: every entry ok, no store_error" summary_ok s3-slow
check "s3-slow: one PUT per image passed on, the rest answered SlowDown" one_write_each s3-slow
check "s3-slow: uploads in flight limit ended below its start" limit_dropped s3-slow

# (b) GCS: 429 rateLimitExceeded to 30 % of uploads.
gcs="$("$proxy" start --upstream "$MASSFETCH_TEST_GCS_ENDPOINT" --flavor gcs --slowdown-percent 30 \
  --run-dir "$work/gcs-slow")"
run gcs-slow "gs://$MASSFETCH_TEST_BUCKET/pace-gcs" --gcsEndpoint="$gcs"
check "gcs-slow: every entry ok, no store_error" summary_ok gcs-slow
check "gcs-slow: one upload per image passed on, the rest answered 429" one_write_each gcs-slow
check "gcs-slow: uploads in flight limit ended below its start" limit_dropped gcs-slow

# (c) --maxWritesPerSecond=40 with a store that never says slow down.
plain="$("$proxy" start --upstream "$MASSFETCH_TEST_S3_ENDPOINT" --flavor s3 --run-dir "$work/s3-plain")"
run s3-rate "s3://$MASSFETCH_TEST_BUCKET/pace-rate" --s3Endpoint="$plain" --s3PathStyle=true \
  --maxWritesPerSecond=40
check "s3-rate: every entry ok" summary_ok s3-rate
max_second="$(stat s3-plain max_writes_per_second)"
# A second of the wall clock can hold the limiter's burst (10 % of a second's budget) on top, and
# requests booked near a second's end can arrive in the next: 25 % slack. Unpaced, 300 PUTs take
# about 2 s.
check "s3-rate: at most 50 PUTs in any second (busiest: $max_second)" [ "$max_second" -le 50 ]
check "s3-rate: one PUT per image (and the probe)" [ "$(stat s3-plain writes)" -eq "$((count + probe_writes))" ]

suite_end
