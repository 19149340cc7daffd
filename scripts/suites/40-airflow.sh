#!/usr/bin/env bash
# 40-airflow.sh — the Airflow DAG (dags/massfetch_dag.py) with a real Airflow 3 from the project's
# venv (scripts/airflow.sh setup) and a fresh SQLite AIRFLOW_HOME:
#   (a) pytest: the DAG folder imports cleanly, graph, params, options and the check's message;
#   (b) `airflow dags test massfetch` on the DirectRunner against nginx: images stored, check passes;
#   (c) the same DAG run again: every image skipped, not one request sent to the origin, and
#       the results folder holds only this attempt's records;
#   (d) a manifest of mostly missing images, read from an Airflow Variable holding {{ ds }}: the
#       check task fails the run with the documented message;
#   (e) runner=FlinkRunner against the local Flink cluster (scripts/flink-cluster.sh);
#   (f) a manifest folder of three part files run as three batches (mapped tasks, one Flink job
#       each): the batch with missing images fails its check, the others pass, the summary adds
#       all three up; once the images are there, re-running only that batch's map index fetches
#       only its failed entries (the origin's log), and its check passes;
#   (g) a batch killed as Airflow kills a task (SIGTERM to the process running it) while its Flink
#       job runs: on_kill cancels the job through the REST API (CANCELED in /jobs/overview) and
#       the task ends instead of waiting for the job.
# Run by scripts/test.sh, or alone: scripts/suites/40-airflow.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF'
Usage: scripts/suites/40-airflow.sh

Tests the massfetch Airflow DAG with a real Airflow (installed by scripts/airflow.sh setup, a few
minutes the first time). Work files go to $MASSFETCH_ROOT/.run/airflow.
Environment:
  AIRFLOW_SUITE_COUNT     images per run (default 200)
  AIRFLOW_SUITE_FLINK=0   skip part (e) (default: run it when scripts/flink-cluster.sh exists)
  AIRFLOW_SUITE_JAR_DIR   folder with massfetch-direct.jar / massfetch-flink.jar to test instead
                          of the checkout's runners/*/target (built here when missing)
  AIRFLOW_SUITE_KEEP=1    keep the work folder afterwards (default: removed when all passed)
Prints PASS:/FAIL: lines and closes with "40-airflow: N passed, N failed".
EOF

need_apt python3 curl jq nginx-light libnginx-mod-http-lua

count="${AIRFLOW_SUITE_COUNT:-200}"
work="$MASSFETCH_ROOT/.run/airflow"
airflow_sh="$MASSFETCH_ROOT/scripts/airflow.sh"
flink_cluster="$MASSFETCH_ROOT/scripts/flink-cluster.sh"
origin_run="$work/origin"
flink_run="$work/flink"
access_log="$origin_run/access.log"
jar_dir="${AIRFLOW_SUITE_JAR_DIR:-}"
# One DAG run must never hang the test run (timeout signals its whole process group: the Airflow
# CLI and the JVM under it).
run_timeout="${AIRFLOW_SUITE_RUN_TIMEOUT:-900}"
flink_started=0
bg_pid=""

cleanup() {
  # The backgrounded DAG run of part (g), if a failure left it running: only that pid.
  if [ -n "$bg_pid" ] && kill -0 "$bg_pid" 2>/dev/null; then
    kill -9 "$bg_pid" 2>/dev/null || true
  fi
  "$origin" stop --run-dir "$origin_run" >/dev/null 2>&1 || true
  if [ "$flink_started" = 1 ]; then
    "$flink_cluster" stop --run-dir "$flink_run" >/dev/null 2>&1 || true
  fi
  if [ "${AIRFLOW_SUITE_KEEP:-0}" != 1 ] && [ "$SUITE_FAILED" -eq 0 ]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT

started_suite=$SECONDS
"$airflow_sh" setup || { fail "scripts/airflow.sh setup installs Airflow"; suite_end; exit 1; }

"$origin" stop --run-dir "$origin_run" >/dev/null 2>&1 || true
rm -rf "$work"
mkdir -p "$work/logs" "$work/manifests"

# Everything the DAG runs in: a fresh AIRFLOW_HOME per suite run (SQLite), no retry delay.
export AIRFLOW_HOME="$work/airflow-home"
export MASSFETCH_DOWNLOAD_RETRIES=0

# --- (a) pytest -----------------------------------------------------------------------------
check "pytest dags/tests (DagBag import, graph, params, check message)" \
  "$airflow_sh" pytest -q

# --- jars -----------------------------------------------------------------------------------
# ensure_jar MODULE: the runnable jar for runners/MODULE exists (built with Maven when missing).
ensure_jar() {
  local module="$1" jar
  if [ -n "$jar_dir" ]; then
    [ -f "$jar_dir/massfetch-$module.jar" ]
    return
  fi
  jar="$(massfetch_jar "$module")"
  [ -f "$jar" ] && return 0
  [ -f "$MASSFETCH_ROOT/runners/$module/pom.xml" ] || return 1
  log "building $jar"
  (cd "$MASSFETCH_ROOT" && mvn -q -B -DskipTests -pl "runners/$module" -am package) \
    >"$work/logs/mvn-$module.log" 2>&1 || { tail -n 30 "$work/logs/mvn-$module.log"; return 1; }
  [ -f "$jar" ]
}

# --- origin ---------------------------------------------------------------------------------
python3 "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$work/images" --count "$count" \
  --manifest "$work/manifests/good.txt" --seed 40 --prefixes 7 >&2
# Mostly missing images: 5% of the good lines plus 95% paths that do not exist (404).
keep=$(( count / 20 > 0 ? count / 20 : 1 ))
mkdir -p "$work/manifests/2026-11-23"
{
  head -n "$keep" "$work/manifests/good.txt"
  for i in $(seq $((count - keep))); do printf '003-007-001-99999/missing-%05d.png\n' "$i"; done
} >"$work/manifests/2026-11-23/manifest.txt"
base_url="$("$origin" start --root "$work/images" --run-dir "$origin_run" --access-log)"
log "origin at $base_url"

# --- running the DAG ------------------------------------------------------------------------
# dag_test NAME DATE CONF_JSON: `airflow dags test massfetch DATE -c CONF`, output to
# logs/NAME.log, exit status to $rc.
rc=0
dag_test() {
  local name="$1" date="$2" conf="$3" started=$SECONDS
  rc=0
  timeout -k 15 "$run_timeout" "$airflow_sh" cli dags test massfetch "$date" -c "$conf" \
    >"$work/logs/$name.log" 2>&1 || rc=$?
  log "dags test $name: exit $rc after $((SECONDS - started))s"
}

# conf KEY=VALUE...: the run's conf as JSON; numbers stay numbers, the jar folder is added when
# the suite tests other jars.
conf() {
  local args=() kv
  for kv in "$@"; do args+=(--arg "${kv%%=*}" "${kv#*=}"); done
  [ -n "$jar_dir" ] && args+=(--arg jar_dir "$jar_dir")
  jq -cn "${args[@]}" '$ARGS.named | with_entries(.value |= (tonumber? // .))'
}

# show_failure NAME: the lines of a run's log that say why it failed.
show_failure() {
  echo "--- $1: last task errors / job output"
  grep -E "ERROR|Error|Exception|error:|massfetch:|failed" "$work/logs/$1.log" | tail -n 25 | cut -c1-400
}

summary_field() { jq -r ".$2" "$1/summary.json" 2>/dev/null; }
stored_count() { find "$1" -path "$1/_results" -prune -o -type f -name '*.png' -print 2>/dev/null | wc -l; }
image_requests() { grep -c '\.png' "$access_log" 2>/dev/null || true; }

# origin_forget_files: the origin's nginx keeps files it opened (open_file_cache, 60 s) and files it
# found missing (120 s); after images are moved away or back, a reload (HUP to the master, by its
# recorded pid) starts workers that look again.
origin_forget_files() {
  kill -HUP "$(tr -d '[:space:]' <"$origin_run/nginx.pid")"
  sleep 1
}

if ! ensure_jar direct; then
  fail "massfetch-direct.jar exists or builds (needed for (b)-(d))"
else
  # (b) ---------------------------------------------------------------------------------------
  out="$work/out-direct"
  results="$out/_results/2026-11-25"
  dag_test direct-ok 2026-11-25 "$(conf manifest="$work/manifests/good.txt" base_url="$base_url" output="$out")"
  [ "$rc" -eq 0 ] || show_failure direct-ok
  check "(b) DirectRunner run succeeds (dags test exit 0)" [ "$rc" -eq 0 ]
  check "(b) all $count images stored in the output" [ "$(stored_count "$out")" -eq "$count" ]
  check "(b) summary.json in the per-run results folder: ok=$count failed=0" \
    [ "$(summary_field "$results" ok)/$(summary_field "$results" failed)" = "$count/0" ]
  check "(b) check task logged the counts" grep -q "massfetch: total=$count ok=$count skipped=0 failed=0" "$work/logs/direct-ok.log"
  check "(b) stored bytes equal the origin's" diff -rq --exclude=_results --exclude=manifest.txt "$work/images" "$out"

  # (c) ---------------------------------------------------------------------------------------
  # The same DAG run again (same logical date, so the same results folder), as a clear or a retry
  # does. A stray shard stands in for an earlier attempt's results with another shard count.
  before="$(image_requests)"
  dag_test direct-rerun 2026-11-25 "$(conf manifest="$work/manifests/good.txt" base_url="$base_url" output="$out")"
  [ "$rc" -eq 0 ] || show_failure direct-rerun
  check "(c) re-run of the same DAG run succeeds" [ "$rc" -eq 0 ]
  check "(c) re-run skipped all $count stored images" \
    [ "$(summary_field "$results" skipped)/$(summary_field "$results" ok)" = "$count/0" ]
  check "(c) re-run sent no image request to the origin" [ "$(image_requests)" -eq "$before" ]
  latest="$(ls -d "$results"/batch-0000/attempt-* | sort | tail -n 1)"
  check "(c) the re-run wrote its own attempt folder: $count records, all skipped/done_before" \
    [ "$(cat "$latest"/results-*.jsonl | jq -r 'select(.error == "done_before") | .key' | sort -u | grep -c .)" -eq "$count" ]

  # (d) ---------------------------------------------------------------------------------------
  # The manifest comes from an Airflow Variable holding {{ ds }}: the param default reads it and
  # the prepare task renders the date into it.
  "$airflow_sh" cli variables set massfetch_manifest "$work/manifests/{{ ds }}/manifest.txt" \
    >"$work/logs/variables.log" 2>&1
  out_bad="$work/out-bad"
  dag_test direct-bad 2026-11-23 "$(conf base_url="$base_url" output="$out_bad")"
  n_missing=$((count - keep))
  pct="$(python3 -c "print(f'{$n_missing / $count:.2%}')")"
  attempt_bad="$(ls -d "$out_bad"/_results/2026-11-23/batch-0000/attempt-* 2>/dev/null | tail -n 1)"
  expected="massfetch: $n_missing of $count images failed ($pct > max_failure_ratio 1.00%). Top errors: http_404=$n_missing. Failed entries: lines with \"status\":\"failed\" in $attempt_bad/results-*.jsonl"
  check "(d) run with mostly missing images fails (dags test exit non-zero)" [ "$rc" -ne 0 ]
  check "(d) the check task failed with the documented message" grep -qF -- "$expected" "$work/logs/direct-bad.log"
  if ! grep -qF -- "$expected" "$work/logs/direct-bad.log"; then
    echo "--- expected: $expected"
    show_failure direct-bad
  fi
  # The provider logs the Beam job's exit status: the job finished, the check failed the run.
  check "(d) the Beam job itself exited 0 (the check is what failed the run)" \
    grep -q "Process exited with return code: 0" "$work/logs/direct-bad.log"
  check "(d) the good 5% were stored" [ "$(stored_count "$out_bad")" -eq "$keep" ]
  check "(d) failed entries are in the results files" \
    [ "$(cat "$attempt_bad"/results-*.jsonl | jq -s '[.[] | select(.status == "failed")] | length')" -eq "$n_missing" ]
  "$airflow_sh" cli variables delete massfetch_manifest >>"$work/logs/variables.log" 2>&1 || true
fi

# --- (e) FlinkRunner ------------------------------------------------------------------------
if [ "${AIRFLOW_SUITE_FLINK:-1}" = 0 ]; then
  log "(e) skipped: AIRFLOW_SUITE_FLINK=0"
elif [ ! -x "$flink_cluster" ]; then
  fail "(e) scripts/flink-cluster.sh exists (needed for the FlinkRunner run)"
elif ! ensure_jar flink; then
  fail "(e) massfetch-flink.jar exists or builds"
else
  # A cluster of our own (own run dir, free port, one TaskManager with 2 slots): the suite never
  # touches a cluster someone else runs, and stops exactly what it started.
  flink_started=1
  flink_url="$("$flink_cluster" start --run-dir "$flink_run" --port 0 --taskmanagers 1 --slots 2 \
    2>"$work/logs/flink-cluster.err" | tail -n 1)" || true
  flink_master="${flink_url#http://}"
  flink_master="${flink_master%/}"
  if [ -z "$flink_master" ] || ! wait_http "http://$flink_master/overview" 120; then
    fail "(e) local Flink cluster starts (scripts/flink-cluster.sh start) and answers at '$flink_master'"
    tail -n 20 "$work/logs/flink-cluster.err"
  else
    out_flink="$work/out-flink"
    dag_test flink 2026-11-22 "$(conf manifest="$work/manifests/good.txt" base_url="$base_url" \
      output="$out_flink" runner=FlinkRunner flink_master="$flink_master" parallelism=2)"
    [ "$rc" -eq 0 ] || show_failure flink
    check "(e) FlinkRunner run succeeds" [ "$rc" -eq 0 ]
    check "(e) the job was submitted to Flink (--runner=FlinkRunner --flinkMaster=$flink_master)" \
      grep -q -- "--runner=FlinkRunner.*--flinkMaster=$flink_master" "$work/logs/flink.log"
    check "(e) all $count images stored by Flink" [ "$(stored_count "$out_flink")" -eq "$count" ]
    check "(e) check task passed with ok=$count" \
      grep -q "massfetch: batch 0 .*total=$count ok=$count skipped=0 failed=0" "$work/logs/flink.log"

    # (f) ---------------------------------------------------------------------------------------
    # Three part files, three batches on the same cluster (parallelism 1 each: two run at once in
    # its two slots). Part 2's images are away from the origin at first: that batch fails its check.
    parts="$work/manifests/parts"
    mkdir -p "$parts" "$work/held-back"
    split -n l/3 -d --additional-suffix=.txt "$work/manifests/good.txt" "$parts/part-"
    while read -r key; do
      mkdir -p "$work/held-back/$(dirname "$key")"
      mv "$work/images/$key" "$work/held-back/$key"
    done <"$parts/part-01.txt"
    origin_forget_files
    n_part2="$(grep -c . "$parts/part-01.txt")"
    out_f="$work/out-batches"
    results_f="$out_f/_results/2026-11-21"
    dag_test batches 2026-11-21 "$(conf manifest="$parts" base_url="$base_url" output="$out_f" \
      runner=FlinkRunner flink_master="$flink_master" parallelism=1)"
    check "(f) the run fails: one batch's check failed" [ "$rc" -ne 0 ]
    check "(f) three batches, three Flink jobs" \
      [ "$(curl -s "http://$flink_master/jobs/overview" | jq '[.jobs[] | select(.name | test("massfetch-2026-11-21-batch-"))] | length')" -eq 3 ]
    check "(f) batch 1 (part-01) failed its ratio check, naming its failed entries" \
      grep -q "batch 1 (.*part-01.txt): massfetch: $n_part2 of $n_part2 images failed" "$work/logs/batches.log"
    check "(f) batches 0 and 2 passed their checks" \
      test "$(grep -c "massfetch: batch [02] (.*failed=0 " "$work/logs/batches.log")" -ge 2
    check "(f) the summary task added up all three batches: total=$count, failed=$n_part2" \
      [ "$(jq -r '"\(.total)/\(.failed)"' "$results_f/summary.json" 2>/dev/null)" = "$count/$n_part2" ]
    # The provider puts the images back; only batch 1 runs again (its map index), resuming from
    # the run's results: it requests exactly its failed entries, and passes.
    cp -r "$work/held-back/." "$work/images/"
    origin_forget_files
    before_f="$(image_requests)"
    rc=0
    timeout -k 15 "$run_timeout" "$airflow_sh" cli tasks test massfetch download 2026-11-21 --map-index 1 \
      >"$work/logs/batch-1-rerun.log" 2>&1 || rc=$?
    check "(f) re-running batch 1 alone succeeds" [ "$rc" -eq 0 ]
    requests_f=$(( $(image_requests) - before_f ))
    check "(f) the re-run requested only batch 1's $n_part2 failed entries ($requests_f image requests)" \
      [ "$requests_f" -eq "$n_part2" ]
    check "(f) every image of the three batches is stored, byte-exact" \
      same_files "$work/images" "$out_f" "$work/manifests/good.txt"
    rc=0
    timeout -k 15 "$run_timeout" "$airflow_sh" cli tasks test massfetch check 2026-11-21 --map-index 1 \
      >"$work/logs/batch-1-check.log" 2>&1 || rc=$?
    check "(f) batch 1's check passes after its re-run (ok=$n_part2)" \
      grep -q "massfetch: batch 1 (.*ok=$n_part2 .*failed=0 " "$work/logs/batch-1-check.log"

    # (g) ---------------------------------------------------------------------------------------
    # A batch that takes minutes (the origin's /fault/slow/ trickles each image over 1.5 s, two in
    # flight), killed as Airflow kills a task: SIGTERM to the process that runs it (the task
    # runner's handler calls on_kill). scripts/airflow.sh execs the airflow CLI, so the pid is its.
    sed 's#^#fault/slow/#' "$work/manifests/good.txt" >"$work/manifests/slow.txt"
    job_g="massfetch-2026-11-20-batch-0000"
    conf_g="$(conf manifest="$work/manifests/slow.txt" base_url="$base_url" output="$work/out-kill" \
      runner=FlinkRunner flink_master="$flink_master" parallelism=1 | jq -c '. + {extra_options: {maxInFlight: 2}}')"
    "$airflow_sh" cli dags test massfetch 2026-11-20 -c "$conf_g" >"$work/logs/kill.log" 2>&1 &
    bg_pid=$!
    # The DAG run's own start (CLI, DAG parsing, the prepare task) took minutes on a loaded machine.
    state_g="" deadline=$((SECONDS + run_timeout))
    while kill -0 "$bg_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
      state_g="$(curl -s "http://$flink_master/jobs/overview" \
        | jq -r --arg n "$job_g" '[.jobs[] | select(.name == $n) | .state] | last // ""' 2>/dev/null || true)"
      [ "$state_g" = RUNNING ] && break
      sleep 1
    done
    check "(g) the batch's Flink job was RUNNING under Airflow" [ "$state_g" = RUNNING ]
    sleep 3 # some images in flight
    kill -TERM "$bg_pid" 2>/dev/null || true
    killed_at=$SECONDS ended=0
    while [ $SECONDS -lt $((killed_at + 300)) ]; do
      kill -0 "$bg_pid" 2>/dev/null || { ended=1; break; }
      sleep 1
    done
    wait "$bg_pid" 2>/dev/null || true
    bg_pid=""
    state_g="$(curl -s "http://$flink_master/jobs/overview" \
      | jq -r --arg n "$job_g" '[.jobs[] | select(.name == $n) | .state] | last // ""' 2>/dev/null || true)"
    check "(g) on_kill cancelled the Flink job: CANCELED in /jobs/overview (is '$state_g')" [ "$state_g" = CANCELED ]
    check "(g) the task logged the cancel through the REST API" grep -q "massfetch: cancelled Flink job(s) \['" "$work/logs/kill.log"
    check "(g) the killed task ended ($((SECONDS - killed_at)) s after SIGTERM), not left running" [ "$ended" = 1 ]
    check "(g) the batch stopped short: fewer than $count images stored" \
      [ "$(stored_count "$work/out-kill")" -lt "$count" ]
  fi
fi

log "40-airflow took $((SECONDS - started_suite))s"
suite_end
