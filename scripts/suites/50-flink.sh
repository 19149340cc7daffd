#!/usr/bin/env bash
# 50-flink.sh — massfetch on Flink 1.19 (scripts/flink-cluster.sh, scripts/massfetch):
#   (a) a real cluster of 4 TaskManagers x 1 slot: 5,000 images at parallelism 4, every file
#       byte-exact, one ok record per entry, the job FINISHED in /jobs/overview, Beam metrics in
#       the REST API;
#   (b) a TaskManager killed with SIGKILL at about half way and a new one started, with
#       --skipExisting=false so repeated work shows at the origin: the restarted job re-fetches
#       only what the results ledger had not published (origin requests <= 1.2 x entries), and
#       ends with every entry exactly once, every stored object byte-exact, nothing partial under
#       a final name;
#   (e) the whole cluster killed (JobManager and TaskManagers, SIGKILL) at about half way, a new
#       cluster started, the run resumed with --previousResults: the first run left whole results
#       files, the second requests only what the first did not record (origin requests over both
#       <= 1.1 x entries), every entry exactly once across both runs' records;
#   (f) tar mode (--outputFormat=tar): a TaskManager killed at about half way (by the origin's
#       count of requests) and a new one started: the job fails over and exits 0, one record per
#       entry, every ok image in exactly one published shard and byte-exact there, none in two;
#   (g) the same in tar mode into an S3 server (moto), shards of several 5 MiB parts: the same
#       checks on the shards (copied down), and the multipart uploads the kill left open listed
#       (never objects, never a published shard's: docs/shards.md's lifecycle rule aborts them);
#   (c) the `flink run` CLI (CliFrontend, through scripts/flink-cluster.sh run) submitting the jar
#       to the same cluster: 300 images at parallelism 2, the job FINISHED, every file byte-exact;
#   (d) the embedded Flink (--flinkMaster=[local]) through scripts/massfetch.
# Run by scripts/test.sh, or alone: scripts/suites/50-flink.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF'
Usage: scripts/suites/50-flink.sh

Starts a Flink cluster (scripts/flink-cluster.sh, free ports, run folder under
$MASSFETCH_ROOT/.run/flink-suite) and nginx origins (scripts/origin.sh), runs massfetch on it
(through scripts/massfetch and through the flink CLI) and on the embedded Flink, and stops
everything it started, also when a check fails or it is interrupted.
Environment:
  FLINK_SUITE_COUNT        images in part (a) (default 5000)
  FLINK_SUITE_KILL_COUNT   images in parts (b) and (e) (default 2000; from the same files)
  FLINK_SUITE_KEEP=1       keep the work folder afterwards (default: removed when all passed)
Prints PASS:/FAIL: lines and closes with "50-flink: N passed, N failed".
EOF

need_apt python3 curl jq nginx-light libnginx-mod-http-lua

count="${FLINK_SUITE_COUNT:-5000}"
kill_count="${FLINK_SUITE_KILL_COUNT:-2000}"
work="$MASSFETCH_ROOT/.run/flink-suite"
massfetch="$MASSFETCH_ROOT/scripts/massfetch"
cluster="$MASSFETCH_ROOT/scripts/flink-cluster.sh"
jar="$(massfetch_jar flink)"
cluster_run="$work/cluster"
# A run that hangs must not hang the whole test run.
run_timeout="${FLINK_SUITE_RUN_TIMEOUT:-600}"
suite_start=$SECONDS
bg_pid=""

cleanup() {
  # The backgrounded launcher of part (b), if a failure left it running: only that pid (its JVM
  # is exec'd in place, so the pid is the JVM's).
  if [ -n "$bg_pid" ] && kill -0 "$bg_pid" 2>/dev/null; then
    kill "$bg_pid" 2>/dev/null || true
  fi
  "$cluster" stop --run-dir "$cluster_run" >/dev/null 2>&1 || true
  "$origin" stop --run-dir "$work/origin" >/dev/null 2>&1 || true
  "$origin" stop --run-dir "$work/origin-slow" >/dev/null 2>&1 || true
  MASSFETCH_STORAGE_RUN="$work/emulators" "$emu" stop moto >/dev/null 2>&1 || true
  if [ "${FLINK_SUITE_KEEP:-0}" != 1 ] && [ "$SUITE_FAILED" -eq 0 ]; then
    rm -rf "$work/images" "$work"/out-* "$work"/results-*
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$cluster" stop --run-dir "$cluster_run" >/dev/null 2>&1 || true
"$origin" stop --run-dir "$work/origin" >/dev/null 2>&1 || true
"$origin" stop --run-dir "$work/origin-slow" >/dev/null 2>&1 || true
MASSFETCH_STORAGE_RUN="$work/emulators" "$emu" stop moto >/dev/null 2>&1 || true
rm -rf "$work"
mkdir -p "$work/logs"

log "generating $count images"
python3 "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$work/images" --count "$count" \
  --manifest "$work/all.txt" --seed 50 >&2
head -n "$kill_count" "$work/all.txt" >"$work/kill.txt"
base_url="$("$origin" start --root "$work/images" --run-dir "$work/origin")"
# Parts (b) and (e) need a run that is still fetching when the kill lands: 100 ms per request and a
# small in-flight limit stretch 2,000 images to tens of seconds. Its access log counts requests.
slow_url="$("$origin" start --root "$work/images" --run-dir "$work/origin-slow" --latency-ms 100 --access-log)"
slow_log="$work/origin-slow/access.log"
origin_requests() { grep -c 'GET ' "$slow_log" 2>/dev/null || true; }

if [ ! -f "$jar" ]; then
  log "building $jar"
  (cd "$MASSFETCH_ROOT" && mvn -q -B -DskipTests -pl runners/flink -am install) >&2
fi

# Part (g) writes to an S3 server: the TaskManagers take its credentials (AWS_*) from this
# environment, so it starts before the cluster.
export MASSFETCH_STORAGE_RUN="$work/emulators"
"$emu" start moto >&2
eval "$("$emu" env)"

started=$SECONDS
# One slot per TaskManager: a lost TaskManager is a quarter of the job, as in part (b)'s measure.
rest="$("$cluster" start --taskmanagers 4 --slots 1 --port 0 --run-dir "$cluster_run")"
master="${rest#http://}"
log "cluster up at $rest after $((SECONDS - started)) s"
check "cluster: 4 TaskManagers, 4 slots registered" \
  [ "$(curl -s "$rest/overview" | jq -r '"\(.taskmanagers) \(."slots-total")"')" = "4 4" ]
check "cluster: start again is a no-op (idempotent)" \
  [ "$("$cluster" start --run-dir "$cluster_run" 2>/dev/null)" = "$rest" ]
# A mistyped --run-dir: status says so, stop is a no-op, and neither leaves a folder behind.
no_cluster="$work/no-such-cluster"
status_rc=0
status_out="$("$cluster" status --run-dir "$no_cluster" 2>&1)" || status_rc=$?
check "cluster: status of a folder holding no cluster prints 'stopped', exits 3" \
  [ "$status_out/$status_rc" = stopped/3 ]
"$cluster" stop --run-dir "$no_cluster" >/dev/null 2>&1 || true
check "cluster: status and stop of a folder holding no cluster create nothing" [ ! -e "$no_cluster" ]

# run_logged NAME CMD ARG...: runs a massfetch client with a deadline; stdout/stderr to
# logs/NAME.*, exit status to $rc, elapsed seconds to $took.
rc=0 took=0
run_logged() {
  local name="$1"; shift
  local t0=$SECONDS
  rc=0
  timeout -k 15 "$run_timeout" "$@" >"$work/logs/$name.out" 2>"$work/logs/$name.err" || rc=$?
  took=$((SECONDS - t0))
  log "massfetch $name: exit $rc after ${took}s"
  [ "$rc" -eq 0 ] || { echo "--- massfetch $name (exit $rc); last lines of stderr:"; grep -v '^\s*at ' "$work/logs/$name.err" | tail -n 15; }
}
# run_massfetch NAME ARG...: run_logged through the launcher, scripts/massfetch.
run_massfetch() { local name="$1"; shift; run_logged "$name" "$massfetch" "$@"; }

summary_is() { [ -f "$1" ] && jq -e "$2" "$1" >/dev/null; }

# at_half_of_requests SINCE CMD...: while the backgrounded run $bg_pid lives, waits until the slow
# origin has answered half of the kill manifest's entries since its count SINCE, then runs CMD and
# sets fault_at to the count it saw (left empty when the run ended or the deadline passed first).
# Requests, not Flink's live record counts: those came minutes late on a loaded machine (a whole
# run once ended with its progress at 0), and requests are what the parts measure.
# With watch_job set, it also sets seen_running once that job shows RUNNING with records fetched
# in the REST API's live metrics.
fault_at="" watch_job="" seen_running=0
at_half_of_requests() {
  local since="$1" requested state fetched deadline=$((SECONDS + run_timeout)); shift
  fault_at="" seen_running=0
  while kill -0 "$bg_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
    if [ -n "$watch_job" ] && [ "$seen_running" = 0 ]; then
      read -r _ state fetched _ <<<"$(flink_job_info "$rest" "$watch_job")" || true
      if [ "${state:-}" = RUNNING ] && [ "${fetched:-0}" -gt 0 ]; then seen_running=1; fi
    fi
    requested=$(( $(origin_requests) - since ))
    if [ "$requested" -ge $((kill_count / 2)) ]; then
      fault_at="$requested"
      "$@"
      return 0
    fi
    sleep 1
  done
}
# replace_taskmanager [I]: kill -9 TaskManager I (default 1) and start a new one in its place.
replace_taskmanager() {
  "$cluster" kill-taskmanager "${1:-1}" --run-dir "$cluster_run"
  "$cluster" start-taskmanager --run-dir "$cluster_run" >/dev/null
}

# run_with_kill NAME I ARG...: a run of the kill manifest on the cluster (logs/NAME.*) with
# TaskManager I (one still running) replaced at half of its origin requests; sets rc, took,
# requests_kill (the run's origin requests), seen_running, state_kill and restarts_kill (failures
# in the job's exception history; the job's metrics, numRestarts among them, are gone once it ended).
# 100 ms per request and --maxInFlight=4 stretch the run to tens of seconds, and results files
# roll every second, so what finished before the kill is published.
run_with_kill() {
  local name="$1" tm="$2" job="massfetch-suite-$1-$$" t0=$SECONDS before jid; shift 2
  before="$(origin_requests)"
  timeout -k 15 "$run_timeout" "$massfetch" --runner=FlinkRunner "--flinkMaster=$master" "--filesToStage=$jar" \
    --parallelism=4 --minGroups=64 --maxInFlight=4 --resultsFileSeconds=1 "--jobName=$job" \
    "--manifest=$work/kill.txt" "--baseUrl=$slow_url" "$@" >"$work/logs/$name.out" 2>"$work/logs/$name.err" &
  bg_pid=$!
  watch_job="$job"
  at_half_of_requests "$before" replace_taskmanager "$tm"
  watch_job=""
  rc=0
  wait "$bg_pid" || rc=$?
  bg_pid=""
  took=$((SECONDS - t0))
  requests_kill=$(( $(origin_requests) - before ))
  log "massfetch $name: exit $rc after ${took}s (TaskManager killed at ${fault_at:-never} requests)"
  [ "$rc" -eq 0 ] || { echo "--- massfetch $name (exit $rc):"; grep -v '^\s*at ' "$work/logs/$name.err" | tail -n 15; }
  read -r jid state_kill _ <<<"$(flink_job_info "$rest" "$job")" || true
  restarts_kill="$(curl -s "$rest/jobs/${jid:-none}/exceptions" | jq '.exceptionHistory.entries | length' 2>/dev/null || echo 0)"
}

# check_kill_and_failover LABEL: after run_with_kill, the kill landed mid-run, the job failed over
# and FINISHED, and massfetch exited 0.
check_kill_and_failover() {
  check "$1 the kill landed mid-run (at ${fault_at:-never} of $kill_count requests)" \
    test -n "$fault_at" -a "${fault_at:-0}" -lt "$kill_count"
  check "$1 the job failed over (${restarts_kill:-0} failure(s) in its exception history) and FINISHED" \
    test "${restarts_kill:-0}" -ge 1 -a "${state_kill:-}" = FINISHED
  check "$1 massfetch exits 0 after the TaskManager loss" [ "$rc" -eq 0 ]
}

# ---------------------------------------------------------------------------------------------
# (a) 5,000 images on the cluster, parallelism 4.
out_a="$work/out-a"
job_a="massfetch-suite-a-$$"
run_massfetch a --runner=FlinkRunner "--flinkMaster=$master" "--filesToStage=$jar" --parallelism=4 \
  --minGroups=64 "--jobName=$job_a" "--manifest=$work/all.txt" "--baseUrl=$base_url" "--output=$out_a"
check "(a) massfetch on the cluster exits 0 on $count images" [ "$rc" -eq 0 ]
check "(a) every file byte-identical, nothing else stored" same_files "$work/images" "$out_a" "$work/all.txt"
check "(a) summary total=ok=$count" \
  summary_is "$out_a/_results/summary.json" ".total == $count and .ok == $count and .failed == 0 and .skipped == 0"
check "(a) exactly one ok record per manifest entry" \
  cmp -s <(sort "$work/all.txt") <(records "$out_a/_results" | jq -r 'select(.status == "ok") | .key' | sort)
check "(a) $count records in all" [ "$(records "$out_a/_results" | grep -c .)" -eq "$count" ]
info_a="$(flink_job_info "$rest" "$job_a")"
jid_a="${info_a%% *}"
check "(a) the job is FINISHED in /jobs/overview" \
  [ "$(curl -s "$rest/jobs/overview" | jq -r --arg n "$job_a" '[.jobs[] | select(.name == $n) | .state] | last')" = FINISHED ]
check "(a) FetchAndStore ran with parallelism 4" \
  [ "$(curl -s "$rest/jobs/$jid_a" | jq '[.vertices[] | select(.name | test("FetchAndStore")) | .parallelism] | max')" = 4 ]
# (|| true: a failed run has no such job, and set -e must not end the suite before its tally.)
fetch_vertex="$(curl -s "$rest/jobs/$jid_a" | jq -r '[.vertices[] | select(.name | test("FetchAndStore"))][0].id' || true)"
per_subtask="$(curl -s "$rest/jobs/$jid_a/vertices/$fetch_vertex" \
  | jq -r '[.subtasks[].metrics["read-records"]] | map(tostring) | join(" ")' 2>/dev/null || true)"
check "(a) every FetchAndStore subtask fetched a share (entries per subtask: $per_subtask)" \
  python3 -c 'import sys; v = [int(x) for x in sys.argv[1:]]; sys.exit(0 if len(v) == 4 and min(v) > 0 else 1)' $per_subtask
# beam_counter JID NAME: a massfetch Beam counter, summed over steps, as the REST API's
# /jobs/<id>/accumulators shows it (Beam's metrics accumulator: monitoring infos, varint payloads).
beam_counter() {
  curl -s "$rest/jobs/$1/accumulators" | python3 -c '
import base64, json, sys
name, total = sys.argv[1], 0
for acc in json.load(sys.stdin).get("user-task-accumulators", []):
    if acc["name"] != "__metricscontainers":
        continue
    for m in json.loads(acc["value"])["metrics"]["attempted"]:
        if m["labels"].get("NAMESPACE") == "massfetch" and m["labels"].get("NAME") == name \
                and m["type"].startswith("beam:metrics:sum_int64"):
            v = shift = 0
            for b in base64.b64decode(m["payload"]):
                v |= (b & 0x7F) << shift; shift += 7
                if not b & 0x80: break
            total += v
print(total)' "$2"
}
check "(a) Beam metrics in the REST API: results_ok=$count, bytes_stored = summary bytes" \
  test "$(beam_counter "$jid_a" results_ok)" = "$count" \
    -a "$(beam_counter "$jid_a" bytes_stored)" = "$(jq .bytes "$out_a/_results/summary.json" 2>/dev/null)"
check "(a) progress lines printed while attached to the cluster" grep -q '^progress: .* fetched' "$work/logs/a.err"
echo "(a) measured: $(jq -r '"\(.images_per_s) images/s, \(.elapsed_s) s"' "$out_a/_results/summary.json" 2>/dev/null)" \
  "(launcher wall time ${took}s; not asserted)"

# ---------------------------------------------------------------------------------------------
# (b) kill -9 one TaskManager at about half way, start a replacement. --skipExisting=false: an
# entry fetched twice is a second request at the origin, which is what the ratio counts. Results
# files roll every second (the run is short), so what finished before the kill is published.
out_b="$work/out-b"
run_with_kill b 1 --skipExisting=false "--output=$out_b"
check "(b) Beam/Flink metrics were live in the REST API while the job ran" [ "$seen_running" = 1 ]
check_kill_and_failover "(b)"
check "(b) exactly one record per manifest entry" \
  cmp -s <(sort "$work/kill.txt") <(records "$out_b/_results" | jq -r '.key' | sort)
# An entry stored before the kill is found stored after the restart: skipped/exists, not ok.
requests_b="$requests_kill"
check "(b) the restart re-fetched only unpublished work: $requests_b origin requests for $kill_count entries (<= 1.2 x)" \
  [ $((requests_b * 10)) -le $((kill_count * 12)) ]
check "(b) every record is ok or skipped/exists" \
  [ "$(records "$out_b/_results" | jq -s '[.[] | select(.status != "ok" and .error != "exists")] | length')" = 0 ]
check "(b) summary total=$kill_count, failed=0" \
  summary_is "$out_b/_results/summary.json" ".total == $kill_count and .failed == 0 and .ok + .skipped == $kill_count"
check "(b) every object byte-exact; no file under a final name but the listed ones" \
  same_files "$work/images" "$out_b" "$work/kill.txt" _results killed
echo "(b) measured: restarts=${restarts_kill:-?}, origin requests ${requests_b} for $kill_count entries, $(jq -r '"ok \(.ok), skipped \(.skipped), \(.elapsed_s) s"' "$out_b/_results/summary.json" 2>/dev/null)" \
  "(launcher wall time ${took}s; not asserted)"

# ---------------------------------------------------------------------------------------------
# (e) the whole cluster lost at about half way (JobManager and TaskManagers, SIGKILL), a new
# cluster, and the run resumed from what the first one published (--previousResults).
out_e="$work/out-e"
job_e="massfetch-suite-e-$$"
t0=$SECONDS
requests_before_e="$(origin_requests)"
e_common=(--runner=FlinkRunner "--filesToStage=$jar" --parallelism=4 --minGroups=64 --maxInFlight=4
  --skipExisting=false --resultsFileSeconds=1 "--manifest=$work/kill.txt" "--baseUrl=$slow_url" "--output=$out_e")
timeout -k 15 "$run_timeout" "$massfetch" "${e_common[@]}" "--flinkMaster=$master" "--jobName=$job_e" \
  "--results=$work/results-e1" >"$work/logs/e1.out" 2>"$work/logs/e1.err" &
bg_pid=$!
crash_cluster_and_client() {
  "$cluster" crash --run-dir "$cluster_run"
  # The attached client would retry the lost JobManager for minutes: it goes down with it.
  sleep 2
  kill "$bg_pid" 2>/dev/null || true
}
at_half_of_requests "$requests_before_e" crash_cluster_and_client
crashed_at="$fault_at"
rc_e1=0
wait "$bg_pid" || rc_e1=$?
bg_pid=""
requests_e1=$(( $(origin_requests) - requests_before_e ))
log "massfetch e (first run): exit $rc_e1, cluster killed at ${crashed_at:-never} requests, $requests_e1 requests"
check "(e) the cluster was killed mid-run (at ${crashed_at:-never} of $kill_count requests) and the run failed" \
  test -n "$crashed_at" -a "${crashed_at:-0}" -lt "$kill_count" -a "$rc_e1" -ne 0
check "(e) the killed run left whole results files only: every line a record, no entry twice" \
  python3 "$py_dir/check_whole_results.py" "$work/results-e1"
rest="$("$cluster" start --taskmanagers 4 --slots 1 --port 0 --run-dir "$cluster_run")"
master="${rest#http://}"
run_massfetch e2 "${e_common[@]}" "--flinkMaster=$master" "--jobName=$job_e-resume" \
  "--results=$work/results-e2" "--previousResults=$work/results-e1"
requests_e=$(( $(origin_requests) - requests_before_e ))
check "(e) the resumed run on a new cluster exits 0" [ "$rc" -eq 0 ]
check "(e) $requests_e origin requests over both runs for $kill_count entries (<= 1.1 x; first run $requests_e1)" \
  [ $((requests_e * 10)) -le $((kill_count * 11)) ]
check "(e) both runs' records account for every entry exactly once, done_before for what the first stored" \
  python3 "$py_dir/check_resumed_results.py" "$work/results-e1" "$work/results-e2" "$work/kill.txt"
check "(e) every object byte-exact" same_files "$work/images" "$out_e" "$work/kill.txt" _results killed
echo "(e) measured: origin requests $requests_e1 in the killed run + $((requests_e - requests_e1)) in the resumed one" \
  "for $kill_count entries ($((SECONDS - t0)) s with the new cluster; not asserted)"

# ---------------------------------------------------------------------------------------------
# (f) tar mode (--outputFormat=tar, shards of 50 images): a TaskManager killed at about half way
# by the origin's count of requests, a new one started, the job fails over. Shards published
# before the kill must not be published again, nor their images put into a second shard.
out_f="$work/out-f"
# The cluster is the one part (e) started: TaskManagers 1 to 4.
run_with_kill f 1 --outputFormat=tar --shardMaxImages=50 "--output=$out_f"
check_kill_and_failover "(f) tar:"
check "(f) tar: exactly one record per manifest entry" \
  cmp -s <(sort "$work/kill.txt") <(records "$out_f/_results" | jq -r '.key' | sort)
check "(f) tar: no entry failed" \
  [ "$(records "$out_f/_results" | jq -s '[.[] | select(.status == "failed")] | length')" = 0 ]
check "(f) tar: every ok image in exactly one published shard, byte-exact; no image in two" \
  python3 "$py_dir/check_shards.py" --reader tarfile --out "$out_f" --results "$out_f/_results" --images "$work/images"
echo "(f) measured: restarts=${restarts_kill:-?}, origin requests $requests_kill for $kill_count entries," \
  "$(jq -r '"ok \(.ok), skipped \(.skipped), \(.elapsed_s) s"' "$out_f/_results/summary.json" 2>/dev/null)," \
  "$(ls "$out_f/shards" | grep -c '\.index\.jsonl$' || true) published shards (launcher wall time ${took}s; not asserted)"

# ---------------------------------------------------------------------------------------------
# (g) as (f), into s3:// on moto, with shards of 300 images (about 9 MB) in 5 MiB parts: at the
# kill, the tasks are streaming multipart uploads.
prefix_g="flink-tar-$$"
run_with_kill g 2 --outputFormat=tar --shardMaxImages=300 --shardPartBytes=5242880 \
  "--output=s3://$MASSFETCH_TEST_BUCKET/$prefix_g" "--results=$work/results-g" \
  "--s3Endpoint=$MASSFETCH_TEST_MOTO_ENDPOINT" --s3PathStyle=true
copied_g="$("$MASSFETCH_TEST_PYTHON" "$py_dir/s3_shards_copy.py" "$MASSFETCH_TEST_MOTO_ENDPOINT" \
  "$MASSFETCH_TEST_BUCKET" "$prefix_g" "$work/out-g" 2>"$work/logs/g-copy.err" || true)"
open_g="$(grep '^open-upload ' <<<"$copied_g" | sed 's#.*/##' || true)"
check_kill_and_failover "(g) tar on S3:"
check "(g) tar on S3: exactly one record per manifest entry, none failed" \
  test "$(records "$work/results-g" | jq -r 'select(.status != "failed") | .key' | sort | tr '\n' ' ')" \
    = "$(sort "$work/kill.txt" | tr '\n' ' ')"
check "(g) tar on S3: shards copied down ($(tail -n 1 <<<"$copied_g"))" grep -q '^copied [1-9]' <<<"$copied_g"
check "(g) tar on S3: every ok image in exactly one published shard, byte-exact; no image in two" \
  python3 "$py_dir/check_shards.py" --reader tarfile --out "$work/out-g" --results "$work/results-g" --images "$work/images"
# A SIGKILLed worker cannot abort its upload: what it leaves is listed here, not as an object.
check "(g) tar on S3: $(grep -c . <<<"$open_g" || true) multipart upload(s) left open by the kill, none a published shard's" \
  bash -c '! grep -qxF -f <(cat "$1"/shards/*.index.jsonl | jq -r .shard) <<<"$2"' _ "$work/out-g" "$open_g"
echo "(g) measured: restarts=${restarts_kill:-?}, $(jq -r '"ok \(.ok), skipped \(.skipped), \(.elapsed_s) s"' "$work/results-g/summary.json" 2>/dev/null)," \
  "$(tail -n 1 <<<"$copied_g") (launcher wall time ${took}s; not asserted)"

# ---------------------------------------------------------------------------------------------
# (c) `flink run` of a Flink distribution, i.e. CliFrontend from the cluster's own jars: the CLI
# provides the cluster connection (--flinkMaster stays [auto]) and ships the jar itself.
out_c="$work/out-c"
job_c="massfetch-suite-c-$$"
head -n 300 "$work/all.txt" >"$work/cli.txt"
run_logged c "$cluster" run --run-dir "$cluster_run" -- \
  run -m "$master" -c massfetch.pipeline.MassfetchMain "$jar" \
  --runner=FlinkRunner --parallelism=2 "--jobName=$job_c" \
  "--manifest=$work/cli.txt" "--baseUrl=$base_url" "--output=$out_c"
read -r jid_c state_c _ <<<"$(flink_job_info "$rest" "$job_c")" || true
check "(c) flink run: exit 0" [ "$rc" -eq 0 ]
check "(c) flink run: the job is FINISHED in /jobs/overview" [ "${state_c:-}" = FINISHED ]
check "(c) flink run: the CLI submitted that job (its JobID ${jid_c:-none} on stdout)" \
  grep -q "submitted with JobID ${jid_c:-none}\$" "$work/logs/c.out"
check "(c) flink run: FetchAndStore ran with parallelism 2" \
  [ "$(curl -s "$rest/jobs/${jid_c:-none}" | jq '[.vertices[] | select(.name | test("FetchAndStore")) | .parallelism] | max' 2>/dev/null)" = 2 ]
check "(c) flink run: every file byte-identical, nothing else stored" same_files "$work/images" "$out_c" "$work/cli.txt"
check "(c) flink run: summary total=ok=300, failed=0" \
  summary_is "$out_c/_results/summary.json" ".total == 300 and .ok == 300 and .failed == 0"
echo "(c) measured: CLI wall time ${took}s (not asserted)"

"$cluster" status --run-dir "$cluster_run" || true
"$cluster" stop --run-dir "$cluster_run" >&2
check "cluster: stop leaves none of its JVMs running" \
  bash -c "! '$cluster' status --run-dir '$cluster_run' >/dev/null"

# ---------------------------------------------------------------------------------------------
# (d) the embedded Flink through scripts/massfetch (a few hundred images: it is the same plan).
out_d="$work/out-d"
head -n 300 "$work/all.txt" >"$work/embedded.txt"
# The JVM's temp folder is the suite's, to see what the run leaves in it.
mkdir -p "$work/jvm-tmp"
MASSFETCH_JAVA_OPTS="-Djava.io.tmpdir=$work/jvm-tmp" \
  run_massfetch d --runner=FlinkRunner '--flinkMaster=[local]' --parallelism=2 \
  "--manifest=$work/embedded.txt" "--baseUrl=$base_url" "--output=$out_d"
check "(d) embedded Flink: exit 0" [ "$rc" -eq 0 ]
check "(d) embedded Flink: nothing left in the JVM's temp folder (its RPC jar is 22 MB a run)" \
  bash -c "[ -z \"\$(ls -A '$work/jvm-tmp')\" ]"
check "(d) embedded Flink: no stack trace on stderr" bash -c "! grep -q '^[[:space:]]*at ' '$work/logs/d.err'"
check "(d) embedded Flink: every file byte-identical" same_files "$work/images" "$out_d" "$work/embedded.txt"
check "(d) embedded Flink: summary total=ok=300" summary_is "$out_d/_results/summary.json" ".total == 300 and .ok == 300"

echo "50-flink took $((SECONDS - suite_start)) s"
suite_end
