#!/usr/bin/env bash
# store-proxy.sh — nginx in front of an object store (S3 or GCS JSON API) on 127.0.0.1, for tests
# and benchmarks: added latency, "slow down" answers, request counts by method.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'EOF_USAGE'
Usage: scripts/store-proxy.sh start|stop|status|stats|reset [options]

Runs nginx on 127.0.0.1 as a reverse proxy in front of an object store's API. Its config
(scripts/store-proxy/nginx.conf.in with the Lua in scripts/store-proxy/store_proxy.lua), pid and
logs live in the run dir, so several proxies can run side by side.

Commands:
  start    start (idempotent for the same run dir); prints the proxy's URL on stdout, nothing else
  stop     stop the nginx whose pid the run dir recorded (and only that one)
  status   "running pid=... url=... upstream=..." and exit 0, or "stopped" and exit 3
  stats    {"methods":{"PUT":n,"HEAD":n,...},"writes":n,"slowdowns":n,"max_writes_per_second":n}
           since start or reset (writes counted per wall-clock second, the busiest kept)
  reset    zero the counters

Options:
  --upstream URL          the store's endpoint, http://127.0.0.1:PORT (required for start)
  --flavor s3|gcs         the error a slowed-down write gets: s3 = 503 with an S3 SlowDown XML
                          body (default), gcs = 429 with GCS's rateLimitExceeded JSON body
  --latency-ms N          added to every request before it is passed on (default 0)
  --slowdown-percent P    share of writes (PUT, and POST for GCS uploads) answered with the
                          slow-down error instead of being passed on (default 0; decimals allowed)
  --writes-per-second N   every write above N in the same wall-clock second is answered with the
                          slow-down error (default 0 = no limit)
  --seed N                seed of the Lua random generator (default 1)
  --workers N             nginx worker processes (default 1)
  --port P                port (default: a free one)
  --run-dir DIR           config/pid/logs folder (default $MASSFETCH_ROOT/.run/store-proxy)
  -h, --help              this help

Example:
  url=$(scripts/store-proxy.sh start --upstream "$MASSFETCH_TEST_S3_ENDPOINT" --slowdown-percent 30)
  scripts/store-proxy.sh stats; scripts/store-proxy.sh stop
EOF_USAGE
}

cmd="${1:-}"
case "$cmd" in
  -h|--help|help) usage; exit 0 ;;
  start|stop|status|stats|reset) shift ;;
  "") usage >&2; exit 2 ;;
  *) die "unknown command '$cmd' (start|stop|status|stats|reset; see --help)" ;;
esac

upstream="" flavor=s3 latency_ms=0 slowdown_percent=0 writes_per_second=0 seed=1 workers=1 port=""
run_dir="$MASSFETCH_ROOT/.run/store-proxy"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --upstream|--flavor|--latency-ms|--slowdown-percent|--writes-per-second|--seed|--workers|--port|--run-dir)
      [ $# -ge 2 ] || die "$1 needs a value"
      v="$2"; o="$1"; shift 2 ;;
    --*=*) o="${1%%=*}"; v="${1#*=}"; shift ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  case "$o" in
    --upstream) upstream="$v" ;;
    --flavor) flavor="$v" ;;
    --latency-ms) latency_ms="$v" ;;
    --slowdown-percent) slowdown_percent="$v" ;;
    --writes-per-second) writes_per_second="$v" ;;
    --seed) seed="$v" ;;
    --workers) workers="$v" ;;
    --port) port="$v" ;;
    --run-dir) run_dir="$v" ;;
    *) die "unknown option '$o' (see --help)" ;;
  esac
done
case "$flavor" in s3|gcs) ;; *) die "--flavor must be s3 or gcs, got '$flavor'" ;; esac
for pair in "latency-ms:$latency_ms" "writes-per-second:$writes_per_second" "seed:$seed" "workers:$workers"; do
  [[ "${pair#*:}" =~ ^[0-9]+$ ]] || die "--${pair%%:*} must be a whole number, got '${pair#*:}'"
done
[[ "$slowdown_percent" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--slowdown-percent must be a number, got '$slowdown_percent'"

conf_in="$MASSFETCH_ROOT/scripts/store-proxy/nginx.conf.in"
lua_dir="$MASSFETCH_ROOT/scripts/store-proxy"
pid_file="$run_dir/nginx.pid"
conf_file="$run_dir/nginx.conf"
state_file="$run_dir/proxy.env"

running_pid() { nginx_master_pid "$pid_file" "$conf_file"; }

state() { sed -n "s/^$1=//p" "$state_file" 2>/dev/null; }

do_start() {
  local pid
  if pid="$(running_pid)"; then
    log "store-proxy: already running (pid $pid)"
    state url
    return 0
  fi
  [ -n "$upstream" ] || die "start needs --upstream http://127.0.0.1:PORT"
  local hostport="${upstream#http://}"
  hostport="${hostport%%/*}"
  [[ "$hostport" =~ ^[0-9a-zA-Z.-]+:[0-9]+$ ]] || die "--upstream must look like http://HOST:PORT, got '$upstream'"
  need_apt nginx-light libnginx-mod-http-lua curl
  [ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ] ||
    die "the nginx Lua module is missing (/usr/lib/nginx/modules/ngx_http_lua_module.so)"
  [ -n "$port" ] || port="$(free_port)"
  mkdir -p "$run_dir/tmp"
  run_dir="$(cd "$run_dir" && pwd)"
  pid_file="$run_dir/nginx.pid" conf_file="$run_dir/nginx.conf" state_file="$run_dir/proxy.env"
  rm -f "$pid_file"
  : >"$run_dir/error.log"
  local user_line=""
  # As root, nginx's workers would run as nobody and could not read the run dir.
  [ "$(id -u)" -eq 0 ] && user_line="user root root;"
  sed -e "s|@USER_LINE@|$user_line|" -e "s|@WORKERS@|$workers|" -e "s|@RUN_DIR@|$run_dir|g" \
      -e "s|@LUA_DIR@|$lua_dir|" -e "s|@SEED@|$seed|" -e "s|@UPSTREAM@|$hostport|" \
      -e "s|@PORT@|$port|" -e "s|@FLAVOR@|$flavor|" -e "s|@LATENCY_MS@|$latency_ms|" \
      -e "s|@SLOWDOWN_PERCENT@|$slowdown_percent|" -e "s|@WRITES_PER_SECOND@|$writes_per_second|" \
      "$conf_in" >"$conf_file"
  nginx -t -q -p "$run_dir" -e "$run_dir/error.log" -c "$conf_file" ||
    die "nginx rejected $conf_file (see above and $run_dir/error.log)"
  # nginx daemonises: the master writes its own pid file, which is the record we stop by.
  nginx -p "$run_dir" -e "$run_dir/error.log" -c "$conf_file" ||
    die "nginx did not start (see $run_dir/error.log)"
  local url="http://127.0.0.1:$port"
  printf 'port=%s\nupstream=%s\nflavor=%s\nlatency_ms=%s\nslowdown_percent=%s\nwrites_per_second=%s\nurl=%s\n' \
    "$port" "$upstream" "$flavor" "$latency_ms" "$slowdown_percent" "$writes_per_second" "$url" >"$state_file"
  for _ in $(seq 100); do [ -s "$pid_file" ] && break; sleep 0.05; done
  if ! pid="$(running_pid)" || ! wait_http "$url/__proxy/stats" 10; then
    tail -n 5 "$run_dir/error.log" >&2 || true
    die "nginx did not come up on $url (see $run_dir/error.log)"
  fi
  log "store-proxy: $url -> $upstream ($flavor, latency ${latency_ms} ms, slow-down ${slowdown_percent} % and above ${writes_per_second} writes/s; pid $pid, run dir $run_dir)"
  echo "$url"
}

do_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pid_file"
    return 0
  fi
  stop_pidfile "$pid_file"
  log "store-proxy: stopped pid $pid"
}

do_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running pid=$pid url=$(state url) upstream=$(state upstream) flavor=$(state flavor) latency_ms=$(state latency_ms) slowdown_percent=$(state slowdown_percent) writes_per_second=$(state writes_per_second)"
    return 0
  fi
  echo "stopped (run dir $run_dir)"
  return 3
}

case "$cmd" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  stats) running_pid >/dev/null || die "store-proxy is not running (run dir $run_dir)"; curl -sf "$(state url)/__proxy/stats" ;;
  reset) running_pid >/dev/null || die "store-proxy is not running (run dir $run_dir)"; curl -sf "$(state url)/__proxy/reset" >/dev/null ;;
esac
