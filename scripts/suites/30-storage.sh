#!/usr/bin/env bash
# 30-storage.sh — object storage against real API servers on 127.0.0.1 (scripts/storage-emulators.sh:
# fake-gcs-server and gcp-storage-emulator for GCS, S3Proxy and moto server for S3):
#   (a) the JUnit store tests with the emulator endpoints set (ObjectSinkContractTest against the
#       local folder and every server, GcsSinkTest and S3SinkTest against each server of their API,
#       FileSystemsSetupTest, StorePreflightTest): hundreds of objects
#       round-tripped and compared by bytes and MD5, same bytes vs. a key conflict, object
#       metadata and options, the store stopped and restarted mid-run, the pre-flight's one-line
#       errors; they must RUN — a test skipped for want of a server is a failure here (a test
#       skipped because a server lacks a feature says which, e.g. moto's unchecked Content-MD5);
#   (b) scripts/massfetch end to end on each of the four servers: manifest read from the store,
#       images written to it, results and summary.json written to it; every object read back and
#       compared with the origin's file; a second run rewrites nothing and skips all; a proxy that
#       loses the answers of a quarter of the uploads yields ok for every entry (not skipped) and
#       key_conflict for a key holding other bytes; and on
#       fake-gcs-server and S3Proxy: --skipExisting is timed (one metadata request per entry); the
#       store stopped mid-run never yields an ok without an object, and a re-run completes the set;
#       --previousResults=<a results folder on the store> resumes from every results file in it,
#       and a store location without results files is one line, exit 2 (all but gcp-storage-emulator);
#   (c) the pre-flight from the command line, where the environment decides: no AWS region, no
#       AWS credentials, refused credentials, no Google credentials: one line, exit 2, < 30 s.
# Run by scripts/test.sh, or alone: scripts/suites/30-storage.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF'
Usage: scripts/suites/30-storage.sh

Starts fake-gcs-server, gcp-storage-emulator, S3Proxy and moto server on free 127.0.0.1 ports, in
parallel (installing them the first time: Go, Maven and python3-venv are needed), runs the store
tests against them, then massfetch end to end through each store.
Work files go to $MASSFETCH_ROOT/.run/storage-suite.
Environment:
  STORAGE_E2E_COUNT   images in the end-to-end part (default 300)
  STORAGE_E2E=0       skip the end-to-end part (the JUnit part always runs)
  STORAGE_KEEP=1      keep the work folder afterwards (default: removed when every check passed)
  STORAGE_RUN_LIMIT   seconds by which a run's entries must all be done (its progress lines), default 30
Prints PASS:/FAIL: lines and closes with "30-storage: N passed, N failed".
EOF

need_apt curl python3 coreutils
# The real interpreter, resolved once: a version-manager shim costs a process tree per call.
py="$(python3 -c 'import sys; print(sys.executable)')"

work="$MASSFETCH_ROOT/.run/storage-suite"
count="${STORAGE_E2E_COUNT:-300}"
run_timeout="${STORAGE_RUN_TIMEOUT:-900}"
export MASSFETCH_STORAGE_RUN="$work/emulators"
# Never ask the EC2 metadata service for a region or credentials: this machine is not on EC2.
export AWS_EC2_METADATA_DISABLED=true

cleanup() {
  "$origin" stop --run-dir "$work/origin" >/dev/null 2>&1 || true
  "$emu" stop every >/dev/null 2>&1 || true
  stop_pidfile "$work/proxy.pid" 2>/dev/null || true
  if [ "${STORAGE_KEEP:-0}" != 1 ] && [ "$SUITE_FAILED" -eq 0 ]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT

"$emu" stop every >/dev/null 2>&1 || true
rm -rf "$work"
mkdir -p "$work/logs"
"$emu" start every
eval "$("$emu" env)"
bucket="$MASSFETCH_TEST_BUCKET"

# ---------------------------------------------------------------------------------------------
# (a) JUnit store tests against the emulators.
store_tests=(sink.ObjectSinkContractTest sink.GcsSinkTest sink.S3SinkTest sink.FileSystemsSetupTest
  pipeline.StorePreflightTest)
log "running ${store_tests[*]} against the emulators"
# report_of CLASS [PREFIX]: a surefire report's path without its extension.
report_of() {
  echo "$MASSFETCH_ROOT/$([ "${1%%.*}" = sink ] && echo transforms || echo pipeline)/target/surefire-reports/${2:-}massfetch.$1"
}
# Reports from an earlier run must not count for this one.
for cls in "${store_tests[@]}"; do
  rm -f "$(report_of "$cls" TEST-).xml" "$(report_of "$cls")-output.txt"
done
mvn_rc=0
(cd "$MASSFETCH_ROOT" && mvn -B -pl pipeline -am test \
  -Dtest="$(IFS=,; echo "${store_tests[*]##*.}")" -Dsurefire.failIfNoSpecifiedTests=false) \
  >"$work/logs/mvn-store-tests.log" 2>&1 || mvn_rc=$?
check "mvn store tests exit 0" test "$mvn_rc" -eq 0
[ "$mvn_rc" -eq 0 ] || grep -E "Tests run|FAIL|ERROR\]" "$work/logs/mvn-store-tests.log" | tail -n 20

# junit_counts REPORT: prints "tests skipped_for_want_of_a_server other_skips failures errors";
# each skip for a missing server feature is listed on stderr with its reason.
junit_counts() {
  "$py" "$py_dir/junit_counts.py" "$1"
}
for cls in "${store_tests[@]}"; do
  read -r tests unserved other failures errors <<<"$(junit_counts "$(report_of "$cls" TEST-).xml")"
  check "$cls: $tests tests ran against the emulators, none skipped for want of a server ($other for a missing feature)" \
    test "$tests" -gt 0 -a "$unserved" -eq 0
  check "$cls: no failures or errors" test "$failures" -eq 0 -a "$errors" -eq 0
  # The tests print their measurements (objects/s, outage timeline): show them in the suite log.
  grep -hE "^(gcs|s3)[: ]|round trip" "$(report_of "$cls")-output.txt" 2>/dev/null \
    | sed "s/^/  $cls: /" || true
done

# ---------------------------------------------------------------------------------------------
# (b) massfetch end to end through each store.
if [ "${STORAGE_E2E:-1}" = 0 ]; then
  suite_end
  exit $?
fi
if [ ! -x "$massfetch" ]; then
  fail "scripts/massfetch exists and is executable"
  suite_end
  exit 1
fi

s3_auth=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY")
urlenc() { "$py" -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# The functions below take the API (gcs or s3) and talk to the server at $gcs_ep or $s3_ep, which the
# loop over the servers sets.
gcs_ep="$MASSFETCH_TEST_GCS_ENDPOINT" s3_ep="$MASSFETCH_TEST_S3_ENDPOINT"
# store_put STORE FILE NAME / store_get STORE NAME (to stdout; fails if absent) /
# store_list STORE PREFIX (names, one a line) / store_version STORE NAME (changes on every write).
store_put() {
  case "$1" in
    gcs) curl -sSf -o /dev/null -X POST -H 'Content-Type: text/plain' --data-binary "@$2" \
           "$gcs_ep/upload/storage/v1/b/$bucket/o?uploadType=media&name=$(urlenc "$3")" ;;
    s3) curl -sSf -o /dev/null "${s3_auth[@]}" -H "x-amz-content-sha256: $(sha256sum "$2" | cut -d' ' -f1)" \
           -T "$2" "$s3_ep/$bucket/$3" ;;
  esac
}
store_get() {
  case "$1" in
    gcs) curl -sSf "$gcs_ep/storage/v1/b/$bucket/o/${2//\//%2F}?alt=media" ;;
    s3) curl -sSf "${s3_auth[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
          "$s3_ep/$bucket/$2" ;;
  esac
}
store_list() {
  case "$1" in
    gcs) curl -sSf "$gcs_ep/storage/v1/b/$bucket/o?maxResults=10000&prefix=$(urlenc "$2")" \
           | "$py" -c 'import json,sys; [print(i["name"]) for i in json.load(sys.stdin).get("items",[])]' ;;
    s3) curl -sSf "${s3_auth[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
          "$s3_ep/$bucket?list-type=2&max-keys=1000&prefix=$(urlenc "$2")" \
          | "$py" -c '
import sys, xml.etree.ElementTree as ET
ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
for c in ET.parse(sys.stdin).getroot().iter(ns + "Key"): print(c.text)' ;;
  esac
}
store_version() {
  case "$1" in
    gcs) curl -sSf "$gcs_ep/storage/v1/b/$bucket/o/$(urlenc "$2")" \
           | "$py" -c 'import json,sys; print(json.load(sys.stdin)["generation"])' ;;
    s3) curl -sSf -I "${s3_auth[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
          "$s3_ep/$bucket/$2" | tr -d '\r' | grep -i '^last-modified:' ;;
  esac
}
# summary_field STORE RESULTS_PREFIX FIELD: a number from summary.json on the store.
summary_field() {
  store_get "$1" "$2/summary.json" | "$py" -c "import json,sys; print(json.load(sys.stdin).get('$3', -1))"
}
# results_lines STORE RESULTS_PREFIX: result records across the results-*.jsonl shards on the store.
results_lines() {
  local n=0 name
  for name in $(store_list "$1" "$2/" | grep -E '/results-[^/]*\.jsonl$'); do
    n=$((n + $(store_get "$1" "$name" | grep -c .)))
  done
  echo "$n"
}
# objects_match STORE OUT_PREFIX LIST: every path in LIST is stored under OUT_PREFIX byte-exact
# (MD5 of the object read back through the store's API vs. the origin's file).
objects_match() {
  if [ "$1" = gcs ]; then
    "$py" "$py_dir/gcs_objects_match.py" "$gcs_ep" "$bucket" "$2" "$3" "$work/images"
    return
  fi
  local bad=0 path
  while IFS= read -r path; do
    [ -n "$path" ] || continue
    if [ "$(store_get "$1" "$2/$path" 2>/dev/null | md5sum | cut -d' ' -f1)" \
      != "$(md5sum <"$work/images/$path" | cut -d' ' -f1)" ]; then
      bad=$((bad + 1))
      [ "$bad" -le 3 ] && echo "  mismatch or missing: $2/$path"
    fi
  done <"$3"
  [ "$bad" -eq 0 ]
}

rc=0 took=0
run_massfetch() {
  local name="$1"; shift
  local started=$SECONDS
  rc=0
  timeout -k 15 "$run_timeout" "$massfetch" "$@" \
    >"$work/logs/$name.out" 2>"$work/logs/$name.err" || rc=$?
  took=$((SECONDS - started))
  # The job's own time (pipeline built to results written), without the JVM's start: the figure a
  # busy shared machine distorts least.
  job_s="$(sed -n 's/^massfetch: finished in \([0-9]*\)\..*/\1/p' "$work/logs/$name.err" | tail -n 1)"
  job_s="${job_s:-999}"
  # When the last entry was done, from the progress lines (every 5 s): the store's share of the run,
  # without Beam's file system writing the result files afterwards (slow on S3Proxy and moto).
  entries_s="$(sed -n 's/^progress \([0-9]*\)s: \([0-9]*\) done.* \([0-9]*\) total.*/\1 \2 \3/p' "$work/logs/$name.err" \
    | awk '$2 == $3 { print $1; exit }')"
  entries_s="${entries_s:-$job_s}"
  log "massfetch $name: exit $rc after ${took}s (job ${job_s}s, every entry done by ${entries_s}s)"
  if [ "$rc" -ne 0 ]; then
    echo "--- massfetch $name (exit $rc); last lines of stderr:"
    grep -v '^\s*at ' "$work/logs/$name.err" | tail -n 15
  fi
}

log "generating $count images"
"$py" "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$work/images" --count "$count" \
  --manifest "$work/manifest.txt" --seed 30 >&2
base_url="$("$origin" start --root "$work/images" --run-dir "$work/origin" --access-log)"
access_log="$work/origin/access.log"
image_requests() { grep -c '\.png' "$access_log" 2>/dev/null || echo 0; }

# api_of SERVER: gcs or s3. endpoint_of SERVER: its URL.
api_of() { case "$1" in gcs|gcsemu) echo gcs ;; *) echo s3 ;; esac; }
endpoint_of() {
  case "$1" in
    gcs) echo "$MASSFETCH_TEST_GCS_ENDPOINT" ;; gcsemu) echo "$MASSFETCH_TEST_GCSEMU_ENDPOINT" ;;
    s3) echo "$MASSFETCH_TEST_S3_ENDPOINT" ;; moto) echo "$MASSFETCH_TEST_MOTO_ENDPOINT" ;;
  esac
}
# opts_for SERVER ENDPOINT: massfetch's endpoint options (into the array endpoint_opts). The
# single-threaded gcp-storage-emulator resets connections past its listen backlog of 5.
opts_for() {
  if [ "$(api_of "$1")" = gcs ]; then
    scheme=gs endpoint_opts=(--gcsEndpoint="$2")
  else
    scheme=s3 endpoint_opts=(--s3Endpoint="$2" --s3PathStyle=true)
  fi
  [ "$1" = gcsemu ] && endpoint_opts+=(--maxUploadsInFlight=4)
  return 0
}
run_limit="${STORAGE_RUN_LIMIT:-30}"  # seconds by which a run's $count entries must be done, on any server

for store in gcs s3 gcsemu moto; do
  api="$(api_of "$store")"
  ep="$(endpoint_of "$store")"
  if [ "$api" = gcs ]; then gcs_ep="$ep"; else s3_ep="$ep"; fi
  opts_for "$store" "$ep"
  root="e2e-$store"
  store_put "$api" "$work/manifest.txt" "$root/manifest.txt"
  common=(--manifest="$scheme://$bucket/$root/manifest.txt" --baseUrl="$base_url"
    --output="$scheme://$bucket/$root/out" "${endpoint_opts[@]}")
  # Results go to the store, except on gcp-storage-emulator, whose answer to the resumable upload
  # Beam's GCS file system writes results with is not what that client expects.
  results_at="$scheme://$bucket/$root" where="on the store"
  [ "$store" = gcsemu ] && results_at="$work/results-gcsemu" where="(local)"
  # sfield N FIELD / rlines N: summary.json's FIELD and the result records of run N.
  sfield() {
    if [ "$store" = gcsemu ]; then
      "$py" -c "import json,sys; print(json.load(open(sys.argv[1])).get('$2', -1))" "$results_at/results-$1/summary.json" 2>/dev/null || echo -1
    else
      summary_field "$api" "$root/results-$1" "$2"
    fi
  }
  rlines() {
    if [ "$store" = gcsemu ]; then cat "$results_at/results-$1"/results-*.jsonl 2>/dev/null | grep -c . ; else results_lines "$api" "$root/results-$1"; fi
  }

  # Run 1: everything lands, byte-exact, with results and summary on the store.
  run_massfetch "$store-1" "${common[@]}" --results="$results_at/results-1"
  check "$store run 1: exit 0, every entry done by ${entries_s}s (< ${run_limit}s; job ${job_s}s, ${took}s with the JVM's start)" \
    test "$rc" -eq 0 -a "$entries_s" -lt "$run_limit"
  check "$store run 1: summary.json $where says $count ok of $count" \
    test "$(sfield 1 ok):$(sfield 1 total)" = "$count:$count"
  check "$store run 1: $count result records $where" test "$(rlines 1)" -eq "$count"
  check "$store run 1: every image stored byte-exact (MD5 of $count objects read back)" \
    objects_match "$api" "$root/out" "$work/manifest.txt"

  # Run 2, overwriting off: each put meets the no-overwrite precondition; nothing is rewritten.
  # gcp-storage-emulator ignores the precondition (it would overwrite): there the re-run asks first.
  run2_opts=()
  [ "$store" = gcsemu ] && run2_opts=(--skipExisting=true)
  sample="$(head -n 1 "$work/manifest.txt")"
  before="$(store_version "$api" "$root/out/$sample")"
  sleep 1  # S3 Last-Modified has one-second resolution
  run_massfetch "$store-2" "${common[@]}" --results="$results_at/results-2" "${run2_opts[@]}"
  took_run2=$took
  # The fetch loop records a put the store refused as already there as skipped ("exists"), not ok.
  check "$store run 2${run2_opts:+ ${run2_opts[*]}}: exit 0, every entry done by ${entries_s}s (< ${run_limit}s; job ${job_s}s), all $count entries skipped as already stored, none failed" \
    test "$rc:$(sfield 2 skipped):$(sfield 2 failed)" = "0:$count:0" -a "$entries_s" -lt "$run_limit"
  check "$store run 2: the stored object was not rewritten" \
    test "$before" = "$(store_version "$api" "$root/out/$sample")"

  # Resuming from run 1's results folder on the store (every results file in it): no request to
  # the origin, every entry skipped/done_before; a location holding no results file: exit 2.
  if [ "$store" != gcsemu ]; then
    before_resume="$(image_requests)"
    run_massfetch "$store-resume" "${common[@]}" --results="$results_at/results-resume" \
      --previousResults="$results_at/results-1" --skipExisting=false
    check "$store: --previousResults=<run 1's results folder on the store>: exit 0, $count skipped (done_before), no origin request" \
      test "$rc:$(sfield resume skipped):$(( $(image_requests) - before_resume ))" = "0:$count:0"
    run_massfetch "$store-noresults" "${common[@]}" --results="$results_at/results-nr" \
      --previousResults="$results_at/no-results"
    check "$store: --previousResults naming a store location without results files: exit 2, one line" \
      test "$rc:$(grep -c . "$work/logs/$store-noresults.err")" = "2:1"
  fi

  # A proxy loses the answer of every 4th upload, at most once per object (so each retry lands):
  # the retry finds the object this run stored (412), compares it, and records ok; never
  # skipped/exists for what this run wrote. One key already holds other bytes: failed/key_conflict.
  if [ "$store" != gcsemu ]; then
    proxy_port="$(free_port)"
    rm -f "$work/dropped-$store"
    "$py" "$MASSFETCH_ROOT/scripts/lib/drop-answer-proxy.py" --port "$proxy_port" --upstream "${ep#http://}" \
      --every 4 --count-file "$work/dropped-$store" >"$work/logs/proxy-$store.log" 2>&1 &
    echo $! >"$work/proxy.pid"
    wait_port_open() { local d=$((SECONDS + 10)); until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do [ $SECONDS -ge $d ] && return 1; sleep 0.1; done; }
    wait_port_open "$proxy_port"
    store_put "$api" "$work/manifest.txt" "$root/out-lost/$sample"
    opts_for "$store" "http://127.0.0.1:$proxy_port"
    run_massfetch "$store-lost" --manifest="$work/manifest.txt" --baseUrl="$base_url" \
      --output="$scheme://$bucket/$root/out-lost" "${endpoint_opts[@]}" --results="$work/results-$store-lost" \
      --skipExisting=false
    stop_pidfile "$work/proxy.pid"
    opts_for "$store" "$ep"
    dropped="$(cat "$work/dropped-$store" 2>/dev/null || echo 0)"
    read -r ok_l skipped_l failed_l conflicts_l <<<"$("$py" -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["ok"], s["skipped"], s["failed"], s.get("errors", {}).get("key_conflict", 0))' "$work/results-$store-lost/summary.json" 2>/dev/null || echo "-1 -1 -1 -1")"
    # Every 4th of at least $count uploads loses its answer: a quarter of the objects, less the
    # few whose turn came on their own retry.
    check "$store lost answers: $dropped answers dropped (>= $((count / 8))); $((count - 1)) ok, none skipped, the taken key failed/key_conflict (ok=$ok_l skipped=$skipped_l failed=$failed_l key_conflict=$conflicts_l)" \
      test "$dropped" -ge $((count / 8)) -a "$ok_l:$skipped_l:$failed_l:$conflicts_l" = "$((count - 1)):0:1:1"
    grep -vxF "$sample" "$work/manifest.txt" >"$work/manifest-lost-ok.txt"
    check "$store lost answers: every other image stored byte-exact" \
      objects_match "$api" "$root/out-lost" "$work/manifest-lost-ok.txt"
  fi

  # The rest (--skipExisting timing, a store outage) on the servers that keep objects on disk
  # and are the examples' defaults; moto keeps its objects in memory.
  [ "$store" = gcs ] || [ "$store" = s3 ] || continue

  # Run 3, --skipExisting: one metadata request per entry, no image request to the origin.
  requests_before="$(image_requests)"
  run_massfetch "$store-3" "${common[@]}" --results="$scheme://$bucket/$root/results-3" --skipExisting=true
  check "$store run 3 (--skipExisting): all $count skipped (${took}s, vs ${took_run2}s fetching and putting)" \
    test "$rc:$(summary_field "$api" "$root/results-3" skipped)" = "0:$count"
  check "$store run 3 (--skipExisting): no image fetched from the origin" \
    test "$(image_requests)" -eq "$requests_before"

  # Run 4: the store stops mid-run and comes back 5 s later. Every ok has its object; failures
  # are store_error only; a re-run of the same manifest completes the set.
  out4="$root/out-outage"
  (
    timeout -k 15 "$run_timeout" "$massfetch" --manifest="$work/manifest.txt" --baseUrl="$base_url" \
      --output="$scheme://$bucket/$out4" "${endpoint_opts[@]}" --results="$work/results-$store-4" \
      --maxInFlight=4 --maxAttempts=4 \
      >"$work/logs/$store-4.out" 2>"$work/logs/$store-4.err"
    echo $? >"$work/$store-4.rc"
  ) &
  run4_pid=$!
  deadline=$((SECONDS + 300))
  until [ "$(store_list "$api" "$out4/" 2>/dev/null | wc -l)" -ge $((count / 10)) ] \
    || [ $SECONDS -ge $deadline ] || ! kill -0 "$run4_pid" 2>/dev/null; do
    sleep 0.2
  done
  stored_at_stop="$(store_list "$api" "$out4/" 2>/dev/null | wc -l)"
  "$emu" stop "$store"
  sleep 5
  "$emu" start "$store"
  wait "$run4_pid" || true
  rc4="$(cat "$work/$store-4.rc" 2>/dev/null || echo 99)"
  log "$store outage run: $stored_at_stop objects stored when the store stopped; exit $rc4"
  summary4="$work/results-$store-4/summary.json"
  if [ -f "$summary4" ]; then
    read -r total4 ok4 failed4 store_err4 <<<"$("$py" -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["total"], s["ok"], s["failed"], s.get("errors", {}).get("store_error", 0))' "$summary4")"
    echo "  $store outage run: total=$total4 ok=$ok4 failed=$failed4 store_error=$store_err4"
    check "$store outage run: one result per entry, failures are store_error only" \
      test "$total4" -eq "$count" -a "$failed4" -eq "$store_err4"
    : >"$work/ok-keys.txt"
    cat "$work/results-$store-4"/results-*.jsonl | "$py" -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r.get("status") == "ok": print(r["key"])' >"$work/ok-keys.txt"
    check "$store outage run: every ok entry has its object, byte-exact" \
      objects_match "$api" "$out4" "$work/ok-keys.txt"
  else
    # A store down for longer than the retry budget may fail the bundle: the job exits non-zero.
    echo "  $store outage run: no summary (exit $rc4): the job failed as a whole"
    check "$store outage run: job ended (exit $rc4) rather than hanging" test "$rc4" -ne 124
  fi
  run_massfetch "$store-5" --manifest="$work/manifest.txt" --baseUrl="$base_url" \
    --output="$scheme://$bucket/$out4" "${endpoint_opts[@]}" --results="$work/results-$store-5"
  check "$store re-run after the outage: exit 0" test "$rc" -eq 0
  check "$store re-run after the outage: all $count objects stored byte-exact" \
    objects_match "$api" "$out4" "$work/manifest.txt"
done

# ---------------------------------------------------------------------------------------------
# (c) The pre-flight where the process environment decides. Each: exit 2, one line naming the
# fix, in under 30 s, before any image is fetched.
preflight() {
  local name="$1" want="$2"; shift 2
  local started=$SECONDS out rc=0
  out="$("$@" 2>&1 >/dev/null)" || rc=$?
  local took=$((SECONDS - started))
  echo "  $name: $out"
  check "pre-flight, $name: exit 2 in ${took}s (< 30 s), one line naming '$want'" \
    test "$rc" -eq 2 -a "$took" -lt 30 -a "$(printf '%s\n' "$out" | grep -c .)" -eq 1 \
    -a "$(printf '%s' "$out" | grep -cF -- "$want")" -eq 1
}
no_aws_files=(AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none")
local_run=(--manifest="$work/manifest.txt" --baseUrl="$base_url" --results="$work/results-preflight")
preflight "s3:// without a region" "--s3Region or AWS_REGION" \
  env -u AWS_REGION -u AWS_DEFAULT_REGION "${no_aws_files[@]}" "$massfetch" "${local_run[@]}" \
  --output="s3://$bucket/preflight"
preflight "s3:// without credentials" "AWS_ACCESS_KEY_ID" \
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE "${no_aws_files[@]}" "$massfetch" \
  "${local_run[@]}" --output="s3://$bucket/preflight" --s3Endpoint="$MASSFETCH_TEST_MOTO_ENDPOINT" --s3PathStyle=true
preflight "S3Proxy refusing the secret" "AWS_SECRET_ACCESS_KEY" \
  env AWS_SECRET_ACCESS_KEY=not-the-secret "$massfetch" "${local_run[@]}" \
  --output="s3://$bucket/preflight" --s3Endpoint="$MASSFETCH_TEST_S3_ENDPOINT" --s3PathStyle=true
mkdir -p "$work/empty-home"
preflight "gs:// without Google credentials" "gcloud auth application-default login" \
  env -u GOOGLE_APPLICATION_CREDENTIALS -u CLOUDSDK_CONFIG HOME="$work/empty-home" "$massfetch" \
  "${local_run[@]}" --output="gs://$bucket/preflight"
preflight "gs:// with GOOGLE_APPLICATION_CREDENTIALS naming no file" "GOOGLE_APPLICATION_CREDENTIALS" \
  env GOOGLE_APPLICATION_CREDENTIALS="$work/none.json" "$massfetch" "${local_run[@]}" \
  --output="gs://$bucket/preflight"

suite_end
