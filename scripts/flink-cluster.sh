#!/usr/bin/env bash
# flink-cluster.sh — a real standalone Flink session cluster on this machine (one JobManager JVM and
# N TaskManager JVMs) built from Maven-resolved jars, because flink-dist cannot be downloaded here.
# Config, logs and pids live in a run folder; stop ends only the JVMs that folder recorded.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'EOF'
Usage: scripts/flink-cluster.sh COMMAND [options]

A standalone Flink 1.19 session cluster on 127.0.0.1: one JobManager (REST API and web UI) and N
TaskManagers, each its own JVM. The Flink jars are resolved by Maven the first time
(runners/flink/cluster/pom.xml -> runners/flink/cluster/target/lib).

Commands:
  start               start the JobManager and TaskManagers 1..N that are not running yet
                      (idempotent), wait until N TaskManagers are registered, print the REST URL
                      (http://127.0.0.1:PORT) on stdout and nothing else
  stop                stop every JVM whose pid the run folder recorded (TERM, then KILL), only those
  status              print each recorded JVM (running/dead) and the cluster's overview;
                      exit 0 when the JobManager runs, 3 when it does not
  start-taskmanager   start one more TaskManager (e.g. to replace a lost one); prints its index
  kill-taskmanager I  kill -9 TaskManager I (a crash, for fault-tolerance tests)
  crash               kill -9 the JobManager and every TaskManager at once (the whole cluster
                      lost, for fault-tolerance tests); start brings up a new one
  url                 print the REST URL of the cluster in the run folder
  run [--run-dir DIR] -- ARGS...
                      the `flink` command-line client of a Flink distribution (CliFrontend, from
                      the same jars) on this cluster: ARGS are the flink CLI's, e.g.
                      "run -m HOST:PORT -c MAIN JAR ARGS...", "list", "cancel JOBID". It reads the
                      run folder's conf/ (so -m may be left out) and logs to log/client.log; the
                      exit code is the CLI's

Options (start; the values are kept in the run folder and reused by later commands):
  --taskmanagers N    TaskManagers to run (default 2)
  --slots S           task slots per TaskManager (default 2)
  --port P            REST/web UI port (default 8081; 0 = pick a free one)
  --tm-memory SIZE    taskmanager.memory.process.size (default 1600m)
  --jm-memory SIZE    jobmanager.memory.process.size (default 1024m)
  --restart-attempts A  fixed-delay restart strategy: attempts (default 10)
  --restart-delay D   ... and delay between them (default "5 s")
  --run-dir DIR       config/logs/pids folder (default $MASSFETCH_ROOT/.run/flink)
  -h, --help          this help

Example:
  url=$(scripts/flink-cluster.sh start --taskmanagers 2 --slots 2)
  scripts/massfetch --runner=FlinkRunner --flinkMaster=${url#http://} --parallelism=4 \
    --filesToStage=runners/flink/target/massfetch-flink.jar --manifest=m.txt --baseUrl=... --output=/tmp/out
  scripts/flink-cluster.sh run -- run -c massfetch.pipeline.MassfetchMain \
    runners/flink/target/massfetch-flink.jar --runner=FlinkRunner --parallelism=4 --manifest=... ...
  scripts/flink-cluster.sh stop
EOF
}

cmd="${1:-}"
case "$cmd" in
  -h|--help|help) usage; exit 0 ;;
  start|stop|status|start-taskmanager|url|run|crash) shift ;;
  kill-taskmanager) shift; kill_index="${1:?kill-taskmanager needs an index}"; shift ;;
  "") usage >&2; exit 2 ;;
  *) die "unknown command '$cmd' (see --help)" ;;
esac

run_dir="$MASSFETCH_ROOT/.run/flink"
opt_taskmanagers="" opt_slots="" opt_port="" opt_tm_memory="" opt_jm_memory=""
opt_restart_attempts="" opt_restart_delay=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --taskmanagers) opt_taskmanagers="${2:?--taskmanagers needs a value}"; shift 2 ;;
    --taskmanagers=*) opt_taskmanagers="${1#*=}"; shift ;;
    --slots) opt_slots="${2:?--slots needs a value}"; shift 2 ;;
    --slots=*) opt_slots="${1#*=}"; shift ;;
    --port) opt_port="${2:?--port needs a value}"; shift 2 ;;
    --port=*) opt_port="${1#*=}"; shift ;;
    --tm-memory) opt_tm_memory="${2:?--tm-memory needs a value}"; shift 2 ;;
    --tm-memory=*) opt_tm_memory="${1#*=}"; shift ;;
    --jm-memory) opt_jm_memory="${2:?--jm-memory needs a value}"; shift 2 ;;
    --jm-memory=*) opt_jm_memory="${1#*=}"; shift ;;
    --restart-attempts) opt_restart_attempts="${2:?--restart-attempts needs a value}"; shift 2 ;;
    --restart-attempts=*) opt_restart_attempts="${1#*=}"; shift ;;
    --restart-delay) opt_restart_delay="${2:?--restart-delay needs a value}"; shift 2 ;;
    --restart-delay=*) opt_restart_delay="${1#*=}"; shift ;;
    --run-dir) run_dir="${2:?--run-dir needs a value}"; shift 2 ;;
    --run-dir=*) run_dir="${1#*=}"; shift ;;
    --) shift; break ;;
    *) [ "$cmd" = run ] && break; die "unknown option '$1' (see --help)" ;;
  esac
done
# What is left are the flink CLI's arguments, for run only.
[ $# -eq 0 ] || [ "$cmd" = run ] || die "unexpected argument '$1' (see --help)"
# Only start creates the run folder: stop or status with a mistyped --run-dir must not leave one
# behind (they report "stopped" for a folder that holds no cluster).
[ "$cmd" = start ] && mkdir -p "$run_dir"
run_dir="$(realpath -ms -- "$run_dir")"
conf_dir="$run_dir/conf"
pid_dir="$run_dir/pids"
log_dir="$run_dir/log"
settings="$run_dir/cluster.env"
lib_dir="$MASSFETCH_ROOT/runners/flink/cluster/target/lib"

# ---------------------------------------------------------------------------------------------
# The cluster's settings: given options, else what the last start recorded, else defaults.
taskmanagers=2 slots=2 port=8081 tm_memory=1600m jm_memory=1024m restart_attempts=10
restart_delay="5 s" rpc_port=""
# shellcheck disable=SC1090
[ -f "$settings" ] && source "$settings"
taskmanagers="${opt_taskmanagers:-$taskmanagers}"
slots="${opt_slots:-$slots}"
port="${opt_port:-$port}"
tm_memory="${opt_tm_memory:-$tm_memory}"
jm_memory="${opt_jm_memory:-$jm_memory}"
restart_attempts="${opt_restart_attempts:-$restart_attempts}"
restart_delay="${opt_restart_delay:-$restart_delay}"
for v in taskmanagers slots port restart_attempts; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "--${v//_/-} must be a number, got '${!v}'"
done

# pid_alive FILE: true when FILE names a live process that is one of this run folder's JVMs
# (its command line mentions our conf folder), so a recycled pid is never taken for ours.
pid_alive() {
  local f="$1" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$conf_dir"
}

rest_url() { echo "http://127.0.0.1:$port"; }

# stop_jvm FILE: stops the JVM FILE records, if it is still ours; removes FILE.
stop_jvm() {
  local f="$1"
  if pid_alive "$f"; then
    stop_pidfile "$f"
  else
    rm -f "$f"
  fi
}

# ---------------------------------------------------------------------------------------------
# Flink's jars, resolved once by Maven.
ensure_jars() {
  if [ -f "$lib_dir/.complete" ]; then
    return 0
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Flink jars: apt-get install maven"
  log "resolving the Flink jars with Maven into $lib_dir (first start only)"
  rm -rf "$lib_dir"
  mvn -q -B -f "$MASSFETCH_ROOT/runners/flink/cluster/pom.xml" dependency:copy-dependencies >&2 \
    || die "could not resolve the Flink jars (mvn -f runners/flink/cluster/pom.xml dependency:copy-dependencies)"
  ls "$lib_dir"/flink-runtime-*.jar >/dev/null 2>&1 || die "no flink-runtime jar in $lib_dir"
  touch "$lib_dir/.complete"
}

# write_config: conf/config.yaml and conf/log4j.properties for this cluster.
write_config() {
  mkdir -p "$conf_dir" "$pid_dir" "$log_dir" "$run_dir/tmp" "$run_dir/web"
  cat >"$settings" <<EOF
taskmanagers=$taskmanagers
slots=$slots
port=$port
rpc_port=$rpc_port
tm_memory=$tm_memory
jm_memory=$jm_memory
restart_attempts=$restart_attempts
restart_delay="$restart_delay"
EOF
  cat >"$conf_dir/config.yaml" <<EOF
# Written by scripts/flink-cluster.sh; rewritten on every start (edit the script, not this file).
jobmanager:
  rpc:
    address: 127.0.0.1
    port: $rpc_port
  bind-host: 127.0.0.1
  memory:
    process:
      size: $jm_memory
  execution:
    # Restart only the tasks connected to the failed one (Flink's default, stated here).
    failover-strategy: region
taskmanager:
  bind-host: 127.0.0.1
  host: 127.0.0.1
  numberOfTaskSlots: $slots
  memory:
    process:
      size: $tm_memory
    # Batch shuffles sort in managed memory; the fetches themselves need heap, not managed memory.
    managed:
      fraction: 0.25
    # Beam's batch plan has ~30 operators whose exchanges are set up at once: the default 10 % of
    # Flink memory runs out of network buffers at parallelism 4.
    network:
      fraction: 0.2
  network:
    sort-shuffle:
      # Each blocking result partition reserves this many 32 KiB buffers (default 512, i.e. 16 MiB
      # per partition); Beam's plan has several, so the default exhausts a small TaskManager.
      min-buffers: 64
rest:
  address: 127.0.0.1
  bind-address: 127.0.0.1
  port: $port
# A lost TaskManager fails the tasks it ran; the job restarts them (with a replacement
# TaskManager's slots) instead of failing.
restart-strategy:
  type: fixed-delay
  fixed-delay:
    attempts: $restart_attempts
    delay: $restart_delay
# A TaskManager killed with -9 is declared lost after two failed heartbeat RPCs (about 2 x interval)
# rather than the default 50 s timeout.
heartbeat:
  interval: 5000
  timeout: 30000
# A job's main() that calls System.exit() while the JobManager runs it (REST API /jars/run) would
# end the JobManager itself; make it an exception in the user code instead.
cluster:
  intercept-user-system-exit: THROW
# RPCs (task deployment, slot offers) time out after 10 s by default; on a busy shared machine
# that alone fails and restarts jobs.
pekko:
  ask:
    timeout: 60 s
# Progress read through the REST API is at most this old.
metrics:
  fetcher:
    update-interval: 2000
parallelism:
  default: $((taskmanagers * slots))
io:
  tmp:
    dirs: $run_dir/tmp
web:
  tmpdir: $run_dir/web
  upload:
    dir: $run_dir/web
EOF
  cat >"$conf_dir/log4j.properties" <<'EOF'
# One log file per JVM (-Dlog.file), as Flink's own scripts do; the web UI shows it.
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.pekko.name = org.apache.pekko
logger.pekko.level = WARN
logger.netty.name = org.apache.flink.shaded.netty4
logger.netty.level = WARN
logger.metricgroup.name = org.apache.flink.metrics.MetricGroup
logger.metricgroup.level = ERROR
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
EOF
}

# The --add-opens/--add-exports Flink's own scripts pass on Java 17 (env.java.default-opts.all).
java_opens=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

# resource_params KIND: the two lines BashJavaUtils prints for KIND (TM|JM): JVM flags, then -D
# options. Without them a TaskManager refuses to start (its memory layout is computed up front).
# Computed once per config (a JVM start costs seconds on a busy machine) and kept in conf/.
resource_params() {
  local cache="$conf_dir/$1.params" out
  if [ -s "$cache" ] && [ "$cache" -nt "$conf_dir/config.yaml" ]; then
    cat "$cache"
    return 0
  fi
  out="$(java -cp "$lib_dir/*" org.apache.flink.runtime.util.bash.BashJavaUtils "GET_$1_RESOURCE_PARAMS" \
    --configDir "$conf_dir" 2>&1)" || { printf '%s\n' "$out" | tail -n 5 >&2; die "BashJavaUtils failed for $1"; }
  printf '%s\n' "$out" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p' | tail -n 2 >"$cache"
  cat "$cache"
}

# launch NAME MAIN_CLASS JVM_FLAGS DYNAMIC_OPTS: starts one JVM in the background, records its pid.
launch() {
  local name="$1" main="$2" jvm_flags="$3" dyn_opts="$4"
  local logf="$log_dir/$name.log"
  # JVM_FLAGS and DYNAMIC_OPTS are space-separated lists from BashJavaUtils: split them on purpose.
  # shellcheck disable=SC2086
  nohup java $jvm_flags "${java_opens[@]}" -XX:+ExitOnOutOfMemoryError \
    -Dlog.file="$logf" -Dlog4j.configurationFile="file:$conf_dir/log4j.properties" \
    -cp "$lib_dir/*" "$main" --configDir "$conf_dir" $dyn_opts \
    </dev/null >"$log_dir/$name.out" 2>&1 &
  echo $! >"$pid_dir/$name.pid"
  log "started $name (pid $!, log $logf)"
}

start_jobmanager() {
  if pid_alive "$pid_dir/jobmanager.pid"; then
    return 0
  fi
  local params
  params="$(resource_params JM)"
  launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    "$(sed -n 1p <<<"$params")" "$(sed -n 2p <<<"$params")"
}

start_taskmanager_index() {
  local i="$1"
  if pid_alive "$pid_dir/taskmanager-$i.pid"; then
    return 0
  fi
  local params
  params="$(resource_params TM)"
  launch "taskmanager-$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    "$(sed -n 1p <<<"$params")" "$(sed -n 2p <<<"$params")"
}

# overview_field FIELD: a number from the REST /overview, or empty when the REST API is not up.
overview_field() {
  curl -s --max-time 3 "$(rest_url)/overview" 2>/dev/null | python3 -c \
    'import json,sys
try: print(json.load(sys.stdin)[sys.argv[1]])
except Exception: pass' "$1"
}

# wait_taskmanagers N SECONDS: waits until at least N TaskManagers are registered.
wait_taskmanagers() {
  local want="$1" deadline=$((SECONDS + $2)) have
  while :; do
    have="$(overview_field taskmanagers)"
    [ -n "$have" ] && [ "$have" -ge "$want" ] && return 0
    if ! pid_alive "$pid_dir/jobmanager.pid"; then
      tail -n 20 "$log_dir/jobmanager.out" "$log_dir/jobmanager.log" >&2 2>/dev/null || true
      die "the JobManager exited; see $log_dir/jobmanager.log"
    fi
    [ $SECONDS -ge $deadline ] && die "only ${have:-0} of $want TaskManagers registered after $2 s; see $log_dir"
    sleep 0.5
  done
}

# running_taskmanagers: indexes of TaskManagers whose JVM runs.
running_taskmanagers() {
  local f i
  for f in "$pid_dir"/taskmanager-*.pid; do
    [ -e "$f" ] || continue
    i="${f##*/taskmanager-}"
    i="${i%.pid}"
    pid_alive "$f" && echo "$i"
  done
  return 0
}

# Every connection a TaskManager's fetches keep open is a file handle, besides Flink's own.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

case "$cmd" in
  start)
    command -v java >/dev/null || die "java (17) is needed: apt-get install openjdk-17-jre-headless"
    need_apt curl python3
    ensure_jars
    if pid_alive "$pid_dir/jobmanager.pid"; then
      log "JobManager already running (pid $(cat "$pid_dir/jobmanager.pid")) at $(rest_url)"
    else
      # A fresh JobManager: fresh ports (unless --port was given), fresh config. TaskManagers left
      # from a JobManager that died would register nowhere: stop them first.
      for f in "$pid_dir"/taskmanager-*.pid; do
        [ -e "$f" ] && stop_jvm "$f"
      done
      rm -f "$pid_dir"/*.killed 2>/dev/null || true
      [ "$port" = 0 ] && port="$(free_port)"
      if curl -s -o /dev/null --max-time 2 "$(rest_url)"; then
        die "port $port is in use by another process: pass --port P (or --port 0 for a free one)"
      fi
      rpc_port="$(free_port)"
      write_config
      start_jobmanager
    fi
    # TaskManagers 1..N (those that died are started again); extra ones from start-taskmanager stay.
    for i in $(seq 1 "$taskmanagers"); do
      start_taskmanager_index "$i"
    done
    wait_http "$(rest_url)/overview" 120 || die "REST API did not come up at $(rest_url); see $log_dir/jobmanager.log"
    wait_taskmanagers "$(running_taskmanagers | grep -c .)" 180
    log "Flink cluster up: $(rest_url) ($(overview_field taskmanagers) TaskManagers, $(overview_field slots-total) slots)"
    rest_url
    ;;
  start-taskmanager)
    pid_alive "$pid_dir/jobmanager.pid" || die "no JobManager runs from $run_dir: run start first"
    next=1
    while [ -e "$pid_dir/taskmanager-$next.pid" ] || [ -e "$pid_dir/taskmanager-$next.pid.killed" ]; do
      next=$((next + 1))
    done
    start_taskmanager_index "$next"
    echo "$next"
    ;;
  kill-taskmanager)
    f="$pid_dir/taskmanager-$kill_index.pid"
    pid_alive "$f" || die "TaskManager $kill_index is not running from $run_dir"
    kill -9 "$(cat "$f")"
    log "killed TaskManager $kill_index (pid $(cat "$f")) with SIGKILL"
    # The pid file stays (marked dead) so that start-taskmanager picks a new index.
    mv "$f" "$f.killed"
    ;;
  crash)
    crashed=0
    for f in "$pid_dir"/jobmanager.pid "$pid_dir"/taskmanager-*.pid; do
      [ -e "$f" ] || continue
      if pid_alive "$f"; then
        kill -9 "$(cat "$f")"
        crashed=$((crashed + 1))
      fi
      rm -f "$f"
    done
    rm -f "$pid_dir"/*.killed 2>/dev/null || true
    log "killed $crashed Flink JVM(s) of $run_dir with SIGKILL"
    ;;
  stop)
    stopped=0
    for f in "$pid_dir"/taskmanager-*.pid "$pid_dir"/jobmanager.pid; do
      [ -e "$f" ] || continue
      pid_alive "$f" && stopped=$((stopped + 1))
      stop_jvm "$f"
    done
    rm -f "$pid_dir"/*.killed 2>/dev/null || true
    log "stopped $stopped Flink JVM(s) of $run_dir"
    ;;
  status)
    any=0
    for f in "$pid_dir"/jobmanager.pid "$pid_dir"/taskmanager-*.pid; do
      [ -e "$f" ] || continue
      name="$(basename "$f" .pid)"
      if pid_alive "$f"; then
        echo "$name running pid=$(cat "$f")"
        any=1
      else
        echo "$name dead (pid file $(cat "$f"))"
      fi
    done
    if pid_alive "$pid_dir/jobmanager.pid"; then
      echo "rest $(rest_url) taskmanagers=$(overview_field taskmanagers) slots=$(overview_field slots-total)" \
        "available=$(overview_field slots-available) jobs-running=$(overview_field jobs-running)" \
        "finished=$(overview_field jobs-finished) failed=$(overview_field jobs-failed)"
      exit 0
    fi
    [ "$any" = 0 ] && echo "stopped"
    exit 3
    ;;
  url)
    [ -f "$settings" ] || die "no cluster was started from $run_dir"
    rest_url
    ;;
  run)
    [ $# -gt 0 ] || die "run needs the flink CLI's arguments, e.g. run -- run -c MAIN JAR ARGS... (see --help)"
    [ -f "$conf_dir/config.yaml" ] || die "no cluster was started from $run_dir (the CLI reads its conf/): run start first"
    command -v java >/dev/null || die "java (17) is needed: apt-get install openjdk-17-jre-headless"
    ensure_jars
    # What a distribution's bin/flink sets up: FLINK_CONF_DIR (else the CLI looks for ../conf or
    # conf under the working folder), the JVM flags the cluster's JVMs get, and a log file. The
    # plugins folder (default: ./plugins of the working folder) is the run folder's, empty: this
    # cluster has no plugins. FLINK_LIB_DIR is only read by YARN/Kubernetes deployments.
    mkdir -p "$run_dir/plugins"
    log "flink CLI on $(rest_url) (log $log_dir/client.log)"
    FLINK_CONF_DIR="$conf_dir" FLINK_PLUGINS_DIR="$run_dir/plugins" exec java "${java_opens[@]}" \
      -Dlog.file="$log_dir/client.log" -Dlog4j.configurationFile="file:$conf_dir/log4j.properties" \
      -cp "$lib_dir/*" org.apache.flink.client.cli.CliFrontend "$@"
    ;;
esac
