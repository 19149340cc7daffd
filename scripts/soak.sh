#!/usr/bin/env bash
# soak.sh — fault soak: massfetch over a whole manifest served by an nginx origin that injects
# random faults into a few percent of requests (scripts/origin.sh --chaos), then checks the
# invariants that must hold whatever the faults were: the run ends in time, one result per entry,
# every ok file byte-exact, nothing else stored, most entries ok, memory flat. With --flink, a
# second part runs on a Flink cluster writing to S3 (S3Proxy) while a TaskManager is killed and
# the store is stopped and restarted.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'EOF'
Usage: scripts/soak.sh [options]

Generates --entries PNGs (scripts/gen-images.py), serves them from nginx with random faults
(scripts/origin.sh --chaos: resets, 503 windows, 429 + Retry-After, truncated bodies, hung
connections, slow bodies, HTML and mislabelled bodies, latency spikes), runs scripts/massfetch
(DirectRunner) over the whole manifest and checks:
  - the run exits 0 before --deadline;
  - every manifest entry has exactly one result record; summary.json agrees with the records;
  - every ok file is byte-exact with its source; no other file is stored (no temp or partial file);
  - failures have only the classes the faults can cause, and ok >= --min-ok-percent of entries;
  - memory stays flat: the java process's VmRSS is sampled every 2 s; over the fetch phase (from
    10 % of the entries done until all are done: JVM start and heap growth before, results
    writing after) the last quarter's average must not exceed the first quarter's by more than
    --rss-margin percent (asserted when that phase lasts 60 s or more, so not by --quick). The
    peak over the whole run is reported.
Prints PASS:/FAIL: lines, a report (faults injected by kind, results by class, elapsed, RSS) and
writes it to WORK/report.json and WORK/report.md. Exits 1 when a check failed.

Options:
  --entries N          manifest entries = images generated (default 100000)
  --quick              CI smoke: 3000 entries, deadline 150 s, DirectRunner only
  --chaos PERCENT      probability of each fault kind per request (default 2; see origin.sh --help)
  --chaos-mix LIST     per-kind override, passed to origin.sh (e.g. "hang=0.5,html=1")
  --seed N             image and chaos seed (default 7)
  --deadline S         seconds the DirectRunner run may take (default 1800; --quick 150)
  --min-ok-percent P   ok entries required, in % of all (default 90)
  --rss-margin P       allowed growth of RSS, last quarter vs first, in % (default 20)
  --max-in-flight N    massfetch --maxInFlight (default 256)
  --flink              also run the Flink + S3 part (not in the CI smoke): a 2-TaskManager cluster
                       (scripts/flink-cluster.sh), output to S3Proxy (scripts/storage-emulators.sh),
                       TaskManager 1 killed with SIGKILL at 20% and replaced, the S3 store stopped
                       for 5 s at 50%; same invariants, objects compared with the sources
  --flink-entries N    entries for the Flink part (default 5000; the first N of the manifest)
  --flink-only         skip the DirectRunner part (use with --flink)
  --flink-extra ARGS   more massfetch options for the Flink run (split on spaces), e.g.
                       "--skipExisting=false --maxAttempts=8"
  --work DIR           work folder (default $MASSFETCH_ROOT/.run/soak); images are kept there
                       between runs (same --entries and --seed: not generated again)
  --keep               keep the outputs afterwards (default: removed when every check passed)
  -h, --help           this help

Environment: MASSFETCH_JAVA_OPTS (default -Xmx1g for the soak), MASSFETCH (launcher to test).
EOF
}

entries=100000 quick=0 chaos=2 chaos_mix="" seed=7 deadline="" min_ok=90 rss_margin=20
max_in_flight=256 flink=0 flink_entries=5000 flink_only=0 flink_extra="" keep=0
work="$MASSFETCH_ROOT/.run/soak"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --entries) entries="${2:?}"; shift 2 ;; --entries=*) entries="${1#*=}"; shift ;;
    --quick) quick=1; shift ;;
    --chaos) chaos="${2:?}"; shift 2 ;; --chaos=*) chaos="${1#*=}"; shift ;;
    --chaos-mix) chaos_mix="${2:?}"; shift 2 ;; --chaos-mix=*) chaos_mix="${1#*=}"; shift ;;
    --seed) seed="${2:?}"; shift 2 ;; --seed=*) seed="${1#*=}"; shift ;;
    --deadline) deadline="${2:?}"; shift 2 ;; --deadline=*) deadline="${1#*=}"; shift ;;
    --min-ok-percent) min_ok="${2:?}"; shift 2 ;; --min-ok-percent=*) min_ok="${1#*=}"; shift ;;
    --rss-margin) rss_margin="${2:?}"; shift 2 ;; --rss-margin=*) rss_margin="${1#*=}"; shift ;;
    --max-in-flight) max_in_flight="${2:?}"; shift 2 ;; --max-in-flight=*) max_in_flight="${1#*=}"; shift ;;
    --flink) flink=1; shift ;;
    --flink-entries) flink_entries="${2:?}"; shift 2 ;; --flink-entries=*) flink_entries="${1#*=}"; shift ;;
    --flink-only) flink_only=1; shift ;;
    --flink-extra) flink_extra="${2?}"; shift 2 ;; --flink-extra=*) flink_extra="${1#*=}"; shift ;;
    --work) work="${2:?}"; shift 2 ;; --work=*) work="${1#*=}"; shift ;;
    --keep) keep=1; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
if [ "$quick" = 1 ]; then
  entries=3000
  deadline="${deadline:-150}"
fi
deadline="${deadline:-1800}"
for v in entries seed deadline min_ok rss_margin max_in_flight flink_entries; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "--${v//_/-} must be a whole number, got '${!v}'"
done
[ "$flink_only" = 0 ] || [ "$flink" = 1 ] || die "--flink-only needs --flink"
[ "$flink_entries" -le "$entries" ] || flink_entries="$entries"

need_apt python3 curl jq nginx-light libnginx-mod-http-lua
command -v java >/dev/null || die "java (17) is needed"

massfetch="${MASSFETCH:-$MASSFETCH_ROOT/scripts/massfetch}"
origin="$MASSFETCH_ROOT/scripts/origin.sh"
cluster="$MASSFETCH_ROOT/scripts/flink-cluster.sh"
emu="$MASSFETCH_ROOT/scripts/storage-emulators.sh"
export MASSFETCH_JAVA_OPTS="${MASSFETCH_JAVA_OPTS:--Xmx1g}"
# The soak's client limits: a hung connection must cost an attempt 3 s, not the default 60 s.
fetch_opts=(--requestTimeoutMs=3000 --connectTimeoutMs=3000 "--maxInFlight=$max_in_flight")

mkdir -p "$work"
work="$(cd "$work" && pwd)"
images="$work/images"
manifest="$work/manifest.txt"
logs="$work/logs"
origin_run="$work/origin"
cluster_run="$work/flink"
export MASSFETCH_STORAGE_RUN="$work/emulators"
export AWS_EC2_METADATA_DISABLED=true
job_pid=""
flink_started=0 emu_started=0

cleanup() {
  if [ -n "$job_pid" ] && kill -0 "$job_pid" 2>/dev/null; then
    kill "$job_pid" 2>/dev/null || true
    sleep 2
    kill -9 "$job_pid" 2>/dev/null || true
  fi
  "$origin" stop --run-dir "$origin_run" >/dev/null 2>&1 || true
  [ "$flink_started" = 1 ] && { "$cluster" stop --run-dir "$cluster_run" >/dev/null 2>&1 || true; }
  [ "$emu_started" = 1 ] && { "$emu" stop s3 >/dev/null 2>&1 || true; }
  if [ "$keep" != 1 ] && [ "$SUITE_FAILED" -eq 0 ]; then
    rm -rf "$work"/out-* "$work/emulators/s3-data"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$origin" stop --run-dir "$origin_run" >/dev/null 2>&1 || true
rm -rf "$work"/out-* "$logs" "$work/report.json" "$work/report.md" "$work"/part-*.json
mkdir -p "$logs"
soak_start=$SECONDS

# ---------------------------------------------------------------------------------------------
# Images: generated once per (entries, seed); 2-30 KB each, so 100,000 take about 1.7 GB.
stamp="entries=$entries seed=$seed kb=2-30"
if [ "$(cat "$work/images.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -s "$manifest" ] || [ ! -d "$images" ]; then
  log "generating $entries images into $images"
  rm -rf "$images" "$work/images.stamp"
  python3 "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$images" --count "$entries" \
    --manifest "$manifest" --seed "$seed" --min-kb 2 --max-kb 30 >&2
  echo "$stamp" >"$work/images.stamp"
else
  log "reusing $entries images in $images"
fi
# Every file read once, so the origin serves from the page cache (the disk is not under test).
find "$images" -type f -name '*.png' -print0 | xargs -0 cat >/dev/null

chaos_args=(--chaos "$chaos" --chaos-seed "$seed")
[ -z "$chaos_mix" ] || chaos_args+=(--chaos-mix "$chaos_mix")
base_url="$("$origin" start --root "$images" --run-dir "$origin_run" "${chaos_args[@]}")"

# chaos_stats FILE: saves the origin's fault counters (counted since it started).
chaos_stats() { curl -sf "$base_url/__chaos/stats" >"$1"; }

# sample_rss PID OUT INTERVAL ERRLOG: every INTERVAL s appends "seconds rss_kb done" of PID to OUT
# while it runs (done: entries finished, from the launcher's latest progress line in ERRLOG); kills
# PID (TERM, then KILL) when the deadline passes, and then prints "deadline" on stdout.
sample_rss() {
  local pid="$1" out="$2" interval="$3" errlog="$4" t0=$SECONDS rss finished
  : >"$out"
  while kill -0 "$pid" 2>/dev/null; do
    rss="$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)"
    finished="$(tail -n 20 "$errlog" 2>/dev/null | sed -n 's/^progress [0-9]*s: \([0-9,]*\) done.*/\1/p' | tail -n 1 | tr -d ,)"
    [ -n "$rss" ] && echo "$((SECONDS - t0)) $rss ${finished:-0}" >>"$out"
    if [ $((SECONDS - t0)) -ge "$deadline" ]; then
      kill "$pid" 2>/dev/null || true
      sleep 10
      kill -9 "$pid" 2>/dev/null || true
      echo deadline
      return 0
    fi
    sleep "$interval"
  done
}

# check_run PART OUT_KIND OUT RESULTS SOURCES_MANIFEST: the invariants, in Python; prints
# "PASS: ..."/"FAIL: ..." lines (counted here through pass/fail) and writes WORK/part-PART.json.
check_run() {
  local line
  while IFS= read -r line; do
    case "$line" in
      PASS:*) pass "${line#PASS: }" ;;
      FAIL:*) fail "${line#FAIL: }" ;;
      *) echo "$line" ;;
    esac
  done < <(python3 "$MASSFETCH_ROOT/scripts/py/soak_check_part.py" "$@" "$work" "$min_ok" "$rss_margin" || echo "FAIL: $1: the checker itself failed"
  )
}

# ---------------------------------------------------------------------------------------------
# Part 1: DirectRunner over the whole manifest.
if [ "$flink_only" = 0 ]; then
  out="$work/out-direct"
  log "direct: massfetch over $entries entries (deadline ${deadline}s, faults ${chaos_mix:-$chaos %} per kind)"
  t0=$SECONDS
  # The launcher execs java, so this pid is the JVM's (its VmRSS is what is sampled).
  "$massfetch" "--manifest=$manifest" "--baseUrl=$base_url" "--output=$out" "${fetch_opts[@]}" \
    >"$logs/direct.out" 2>"$logs/direct.err" &
  job_pid=$!
  interval=2
  [ "$quick" = 1 ] && interval=1
  timed_out="$(sample_rss "$job_pid" "$work/rss-direct.txt" "$interval" "$logs/direct.err")"
  rc=0
  wait "$job_pid" || rc=$?
  job_pid=""
  took=$((SECONDS - t0))
  [ "$timed_out" = deadline ] && { log "direct: deadline of ${deadline}s passed: killed"; rc=124; }
  log "direct: exit $rc after ${took}s"
  [ "$rc" -eq 0 ] || { echo "--- massfetch (exit $rc), last lines of stderr:"; grep -v '^\s*at ' "$logs/direct.err" | tail -n 15; }
  chaos_stats "$work/chaos-direct.json" || echo '{}' >"$work/chaos-direct.json"
  grep -h 'average in flight\|^progress' "$logs/direct.err" | tail -n 2 | sed 's/^/  direct: /' || true
  check_run direct local "$out" "$out/_results" "$manifest" "$rc" "$work/rss-direct.txt" \
    "$work/chaos-direct.json" "$took"
fi

# ---------------------------------------------------------------------------------------------
# Part 2 (--flink): a Flink cluster writing to S3Proxy; a TaskManager killed and the store
# restarted mid-run.
if [ "$flink" = 1 ]; then
  head -n "$flink_entries" "$manifest" >"$work/manifest-flink.txt"
  jar="$(massfetch_jar flink)"
  [ -f "$jar" ] || die "$jar is missing: build it (mvn -q -B package -DskipTests)"
  emu_started=1
  "$emu" stop s3 >/dev/null 2>&1 || true
  rm -rf "$MASSFETCH_STORAGE_RUN/s3-data"
  "$emu" start s3
  # Before the cluster starts: its TaskManagers read the S3 credentials from their environment
  # (the AWS SDK's default chain), as they would on a real cluster.
  eval "$("$emu" env)"
  flink_started=1
  rest="$("$cluster" start --taskmanagers 2 --slots 2 --port 0 --run-dir "$cluster_run")"
  master="${rest#http://}"
  bucket="$MASSFETCH_TEST_BUCKET"
  s3_dir="$MASSFETCH_STORAGE_RUN/s3-data/$bucket"
  prefix="soak"
  # Fresh fault counters for this part.
  before_file="$work/chaos-flink-before.json"
  chaos_stats "$before_file" || echo '{}' >"$before_file"

  job="massfetch-soak-$$"
  extra_args=()
  [ -z "$flink_extra" ] || read -r -a extra_args <<<"$flink_extra"
  out_results="$work/out-flink-results"
  log "flink: massfetch over $flink_entries entries on 2 TaskManagers, output s3://$bucket/$prefix"
  t0=$SECONDS
  # A small in-flight limit per TaskManager stretches the run so both faults land mid-run.
  "$massfetch" --runner=FlinkRunner "--flinkMaster=$master" "--filesToStage=$jar" --parallelism=4 \
    --minGroups=64 "--jobName=$job" "--manifest=$work/manifest-flink.txt" "--baseUrl=$base_url" \
    "--output=s3://$bucket/$prefix" "--results=$out_results" \
    "--s3Endpoint=$MASSFETCH_TEST_S3_ENDPOINT" --s3PathStyle=true \
    --requestTimeoutMs=3000 --connectTimeoutMs=3000 --maxInFlight=8 "${extra_args[@]}" \
    >"$logs/flink.out" 2>"$logs/flink.err" &
  job_pid=$!
  killed_at="" store_stopped_at="" phase=kill
  while kill -0 "$job_pid" 2>/dev/null && [ $((SECONDS - t0)) -lt "$deadline" ]; do
    read -r _ state fetched _ <<<"$(flink_job_info "$rest" "$job")" || true
    if [ "$phase" = kill ] && [ "${state:-}" = RUNNING ] && [ "${fetched:-0}" -ge $((flink_entries / 5)) ]; then
      killed_at="$fetched"
      "$cluster" kill-taskmanager 1 --run-dir "$cluster_run"
      "$cluster" start-taskmanager --run-dir "$cluster_run" >/dev/null
      phase=store
    elif [ "$phase" = store ] && [ "${state:-}" = RUNNING ] &&
         [ "$(find "$s3_dir/$prefix" -type f 2>/dev/null | wc -l)" -ge $((flink_entries / 2)) ]; then
      store_stopped_at="$(find "$s3_dir/$prefix" -type f | wc -l) objects"
      "$emu" stop s3
      sleep 5
      "$emu" start s3
      phase=over
    fi
    sleep 1
  done
  if kill -0 "$job_pid" 2>/dev/null; then
    log "flink: deadline of ${deadline}s passed: killing the launcher"
    kill "$job_pid" 2>/dev/null || true
  fi
  rc=0
  wait "$job_pid" || rc=$?
  job_pid=""
  took=$((SECONDS - t0))
  log "flink: exit $rc after ${took}s (TaskManager killed at ${killed_at:-never} fetched, store stopped at ${store_stopped_at:-never})"
  [ "$rc" -eq 0 ] || { echo "--- massfetch flink (exit $rc), last lines of stderr:"; grep -v '^\s*at ' "$logs/flink.err" | tail -n 15; }
  read -r jid_f state_f _ <<<"$(flink_job_info "$rest" "$job")" || true
  restarts="$(curl -s "$rest/jobs/${jid_f:-none}/exceptions" | jq '.exceptionHistory.entries | length' 2>/dev/null || echo 0)"
  check "flink: the TaskManager was killed mid-run (at ${killed_at:-never} of $flink_entries fetched) and replaced" \
    test -n "$killed_at" -a "${killed_at:-0}" -lt "$flink_entries"
  check "flink: the S3 store was stopped and restarted mid-run (at ${store_stopped_at:-never})" test -n "$store_stopped_at"
  check "flink: the job failed over (${restarts:-0} failure(s) in its exception history) and FINISHED (${state_f:-?})" \
    test "${restarts:-0}" -ge 1 -a "${state_f:-}" = FINISHED
  chaos_stats "$work/chaos-flink-after.json" || echo '{}' >"$work/chaos-flink-after.json"
  python3 "$MASSFETCH_ROOT/scripts/py/soak_chaos_delta.py" "$before_file" "$work/chaos-flink-after.json" >"$work/chaos-flink.json"
  # Objects are compared through the S3Proxy filesystem backend (one file per object) plus a
  # sample read back through the S3 API.
  check_run flink s3 "$s3_dir/$prefix" "$out_results" "$work/manifest-flink.txt" "$rc" - \
    "$work/chaos-flink.json" "$took"
  sample_bad=0
  while IFS= read -r key; do
    got="$(curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
      -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$MASSFETCH_TEST_S3_ENDPOINT/$bucket/$prefix/$key" | md5sum | cut -d' ' -f1)"
    [ "$got" = "$(md5sum <"$images/$key" | cut -d' ' -f1)" ] || sample_bad=$((sample_bad + 1))
  done < <(cat "$out_results"/results-*.jsonl 2>/dev/null | jq -r 'select(.status == "ok") | .key' | head -n 20)
  check "flink: 20 ok objects read back through the S3 API are byte-exact ($sample_bad bad)" test "$sample_bad" -eq 0
  echo "  flink: restarts=${restarts:-?}, launcher wall time ${took}s"
  "$cluster" stop --run-dir "$cluster_run" >&2
  flink_started=0
  "$emu" stop s3 >&2
  emu_started=0
fi

# ---------------------------------------------------------------------------------------------
# Report.
python3 "$MASSFETCH_ROOT/scripts/py/soak_report.py" "$work" "$entries" "$chaos" "$chaos_mix" "$((SECONDS - soak_start))" "$SUITE_PASSED" "$SUITE_FAILED"
echo "report: $work/report.md, $work/report.json"
suite_end
