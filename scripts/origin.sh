#!/usr/bin/env bash
# origin.sh — a local stand-in for the image provider's HTTP server: Debian's nginx serving a
# folder of images on 127.0.0.1, with optional added latency and fault endpoints written in Lua.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'EOF'
Usage: scripts/origin.sh start|stop|status [options]

Runs nginx on 127.0.0.1 serving --root as static files: a local image origin for massfetch.
Its config, pid and logs live in the run dir, so several origins can run side by side.

Commands:
  start    start (idempotent: an origin already running from this run dir is left alone).
           Prints its base URL (http://127.0.0.1:PORT) on stdout, nothing else.
  stop     stop the nginx whose pid the run dir recorded (and only that one).
  status   print "running pid=... url=... root=..." and exit 0, or "stopped" and exit 3.

Options:
  --root DIR        folder to serve (default $MASSFETCH_ROOT/.run/images)
  --port P          port (default: a free one)
  --latency-ms N    add N ms to every request, in nginx (ngx.sleep), default 0
  --workers N       nginx worker processes (default: auto = one per core)
  --access-log      write an access log to RUN_DIR/access.log (default off: it costs speed);
                    with --chaos each line ends with the fault injected into it ("-" for none
                    and for the kinds served by a /fault/ endpoint: /__chaos/stats counts all)
  --chaos PERCENT   fault injection: every plain file request draws one fault at random, each
                    kind with probability PERCENT % (decimals allowed; default 0 = off); see
                    "Chaos" below
  --chaos-mix LIST  per-kind percentages overriding --chaos, e.g. "reset=2,html=0.5,hang=1"
  --chaos-seed N    seed of the Lua random generator (per worker: N*1000 + worker id; default 1)
  --capacity N      serve at most N requests at once (all workers together): one more is answered
                    503 at once, without Retry-After (default 0 = no limit); see "Capacity" below
  --run-dir DIR     config/pid/logs folder (default $MASSFETCH_ROOT/.run/origin)
  -h, --help        this help

Fault endpoints (counters are per request URI, query string included, and live as long as nginx):
  /fault/404/<x>              404                /fault/403/<x>          403
  /fault/status/<code>/<x>    any status code, always
  /fault/503-twice/<path>     503 twice, then the real file at /<path>
  /fault/429/<path>           429 + Retry-After: 1 once, then the real file
  /fault/reset/<x>            connection closed without a response
  /fault/truncate/<path>      real Content-Length, half the body, then a clean close (FIN)
  /fault/truncate-reset/<path>  the same, but the connection is reset (RST) after half the body
  /fault/hang/<x>             sleeps one hour before answering
  /fault/html/<x>             200 text/html page
  /fault/big/<x>              200 image/png, 80 MiB streamed without Content-Length (chunked)
  /fault/big-declared/<x>     the same with Content-Length: 83886080 declared up front
  /fault/redirect/<path>      302 to /<path>
  /fault/loop/<x>             302 to itself, forever
  /fault/slow/<path>          the real file in 8 pieces spread over 1.5 s (a slow body)
  /fault/mislabeled/<path>    the real file, but with Content-Type: text/html

Chaos (--chaos / --chaos-mix): an access-phase Lua handler in front of the static files (not of
/fault/) draws, for every request from a client, math.random() against the mix, so a retried
request draws again. Kinds (default: every one at PERCENT %):
  reset       connection closed without a response (nginx 444)
  503         a 503; when no window ran in the last 15 s it opens a host-wide window of 503s:
              for the next 500 ms EVERY request gets 503 (counted as 503_window)
  429         429 with Retry-After: 1
  truncate    /fault/truncate: the real Content-Length, half the body, then the connection closed
  hang        /fault/hang: no answer for an hour (the client's timeout ends it)
  slow        /fault/slow: the real file, trickled over 1.5 s
  html        /fault/html: 200 text/html page (permanent: not an image)
  mislabeled  /fault/mislabeled: the real image labelled text/html (an image all the same)
  latency     a pause of 0.5-2 s, then the real file
GET /__chaos/stats prints {"requests":N,"faults":{"reset":n,...}} counted since start (nginx
shared dict, all workers).

Capacity (--capacity N): a provider at its limit. A request counts as in flight from the start of
its access phase, before the --latency-ms pause and any chaos fault, to its log phase, which every
counted request reaches however it ends (served, faulted, reset, timed out or abandoned by the
client). A request that finds N in flight gets nginx's 503 page at once, no Retry-After, and is not
counted as in flight itself. Internal redirects (a fault endpoint serving the real file) are the
same request, and /__* stats are never counted. GET /__capacity/stats prints
{"capacity":N,"requests":n,"rejected":n,"in_flight":n} since start (nginx shared dict, all
workers): requests counted, 503s given for capacity, and in flight now (0 at rest; more would be a
leaked count).

Example:
  url=$(scripts/origin.sh start --root /tmp/images --latency-ms 50)
  curl -sI "$url/fault/429/some/file.png"; scripts/origin.sh stop
  url=$(scripts/origin.sh start --root /tmp/images --chaos 2 --run-dir /tmp/chaos-origin)
  curl -s "$url/__chaos/stats"
  url=$(scripts/origin.sh start --root /tmp/images --latency-ms 100 --capacity 64 --run-dir /tmp/cap)
  curl -s "$url/__capacity/stats"
EOF
}

cmd="${1:-}"
case "$cmd" in
  -h|--help|help) usage; exit 0 ;;
  start|stop|status) shift ;;
  "") usage >&2; exit 2 ;;
  *) die "unknown command '$cmd' (start|stop|status; see --help)" ;;
esac

root="$MASSFETCH_ROOT/.run/images"
port=""
latency_ms=0
workers=auto
access_log=0
chaos=0
chaos_mix=""
chaos_seed=1
capacity=0
run_dir="$MASSFETCH_ROOT/.run/origin"
root_given=0 port_given=0 latency_given=0 chaos_given=0 capacity_given=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --root) root="${2:?--root needs a value}"; root_given=1; shift 2 ;;
    --root=*) root="${1#*=}"; root_given=1; shift ;;
    --port) port="${2:?--port needs a value}"; port_given=1; shift 2 ;;
    --port=*) port="${1#*=}"; port_given=1; shift ;;
    --latency-ms) latency_ms="${2:?--latency-ms needs a value}"; latency_given=1; shift 2 ;;
    --latency-ms=*) latency_ms="${1#*=}"; latency_given=1; shift ;;
    --workers) workers="${2:?--workers needs a value}"; shift 2 ;;
    --workers=*) workers="${1#*=}"; shift ;;
    --access-log) access_log=1; shift ;;
    --chaos) chaos="${2:?--chaos needs a value}"; chaos_given=1; shift 2 ;;
    --chaos=*) chaos="${1#*=}"; chaos_given=1; shift ;;
    --chaos-mix) chaos_mix="${2:?--chaos-mix needs a value}"; chaos_given=1; shift 2 ;;
    --chaos-mix=*) chaos_mix="${1#*=}"; chaos_given=1; shift ;;
    --chaos-seed) chaos_seed="${2:?--chaos-seed needs a value}"; shift 2 ;;
    --chaos-seed=*) chaos_seed="${1#*=}"; shift ;;
    --capacity) capacity="${2:?--capacity needs a value}"; capacity_given=1; shift 2 ;;
    --capacity=*) capacity="${1#*=}"; capacity_given=1; shift ;;
    --run-dir) run_dir="${2:?--run-dir needs a value}"; shift 2 ;;
    --run-dir=*) run_dir="${1#*=}"; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$latency_ms" =~ ^[0-9]+$ ]] || die "--latency-ms must be a whole number of milliseconds"
[ -z "$port" ] || [[ "$port" =~ ^[0-9]+$ ]] || die "--port must be a number"
[ "$workers" = auto ] || [[ "$workers" =~ ^[1-9][0-9]*$ ]] || die "--workers must be auto or a number"
[[ "$chaos" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--chaos must be a percentage, e.g. 2 or 0.5"
[[ "$chaos_seed" =~ ^[0-9]+$ ]] || die "--chaos-seed must be a whole number"
[[ "$capacity" =~ ^[0-9]+$ ]] || die "--capacity must be a whole number of requests (0 = no limit)"

# The chaos fault kinds, in the order the random draw walks them.
CHAOS_KINDS=(reset 503 429 truncate hang slow html mislabeled latency)

# chaos_mix_list: the mix as "reset=2,503=2,..." in the order the random draw walks it (origin.lua
# reads it); dies on an unknown kind or a bad percentage.
chaos_mix_list() {
  local kind pct item out=""
  declare -A mix=()
  for kind in "${CHAOS_KINDS[@]}"; do mix[$kind]="$chaos"; done
  if [ -n "$chaos_mix" ]; then
    IFS=, read -r -a items <<<"$chaos_mix"
    for item in "${items[@]}"; do
      kind="${item%%=*}" pct="${item#*=}"
      [ -n "${mix[$kind]+x}" ] || die "--chaos-mix: unknown kind '$kind' (${CHAOS_KINDS[*]})"
      [[ "$pct" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--chaos-mix: '$item' needs a percentage"
      mix[$kind]="$pct"
    done
  fi
  for kind in "${CHAOS_KINDS[@]}"; do out+="${out:+,}$kind=${mix[$kind]}"; done
  echo "$out"
}
chaos_mix_list >/dev/null  # dies here, in the main shell, on a bad --chaos-mix

# chaos_on: true when some kind has a non-zero share.
chaos_on() { chaos_mix_list | grep -qE '=[0-9]*\.?[0-9]*[1-9]'; }


pid_file="$run_dir/nginx.pid"
state_file="$run_dir/origin.env"
conf_file="$run_dir/nginx.conf"

# running_pid: the nginx master of this run dir, if it is running (see nginx_master_pid).
running_pid() { nginx_master_pid "$pid_file" "$conf_file"; }

# state KEY: a value recorded by the last start (port, root, latency_ms, url).
state() { sed -n "s/^$1=//p" "$state_file" 2>/dev/null; }

do_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running pid=$pid url=$(state url) root=$(state root) latency_ms=$(state latency_ms) chaos=$(state chaos) capacity=$(state capacity) run_dir=$run_dir"
    return 0
  fi
  echo "stopped (run dir $run_dir)"
  return 3
}

do_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "origin: not running (run dir $run_dir)"
    rm -f "$pid_file"
    return 0
  fi
  # stop_pidfile sends TERM (nginx's fast shutdown: hung /fault/hang requests are dropped too),
  # then KILL after 5 s.
  stop_pidfile "$pid_file"
  log "origin: stopped pid $pid"
}

conf_in="$MASSFETCH_ROOT/scripts/origin/nginx.conf.in"
lua_dir="$MASSFETCH_ROOT/scripts/origin"

# sed_escape TEXT: TEXT as a literal sed replacement (a path may hold & or |).
sed_escape() { printf '%s' "$1" | sed 's/[&|\\]/\\&/g'; }

# write_conf: nginx.conf from scripts/origin/nginx.conf.in. Values go into env directives that
# origin.lua reads; the optional blocks are fixed snippet files in scripts/origin/, included only
# when asked for, so a plain origin runs no Lua on its requests.
write_conf() {
  local access="access_log off;" user_line="" includes="" mix=""
  # No buffer: tests read the log right after a run.
  [ "$access_log" = 1 ] && access="access_log $run_dir/access.log origin;"
  if [ "$latency_ms" -gt 0 ] || chaos_on || [ "$capacity" -gt 0 ]; then
    includes="include $lua_dir/access.conf;"
  fi
  if chaos_on; then
    mix="$(chaos_mix_list)"
    includes+=" include $lua_dir/chaos.conf;"
  fi
  [ "$capacity" -gt 0 ] && includes+=" include $lua_dir/capacity.conf;"
  # As root, nginx's workers would run as nobody and could not read a mktemp -d folder (mode 700);
  # this server only listens on 127.0.0.1 and serves test files.
  [ "$(id -u)" -eq 0 ] && user_line="user root root;"
  # Descriptors: as many as the hard limit lets a worker have (setrlimit above it fails), and
  # half of them for connections, since serving a file takes a second descriptor.
  local nofile
  nofile="$(ulimit -Hn)"
  { [ "$nofile" = unlimited ] || [ "$nofile" -gt 200000 ]; } && nofile=200000
  sed -e "s|@USER_LINE@|$user_line|" -e "s|@WORKERS@|$workers|" \
      -e "s|@RUN_DIR@|$(sed_escape "$run_dir")|g" -e "s|@NOFILE@|$nofile|" \
      -e "s|@WORKER_CONNECTIONS@|$((nofile / 2))|" -e "s|@OPEN_FILE_CACHE@|$((nofile / 4))|" \
      -e "s|@ACCESS_LOG@|$(sed_escape "$access")|" -e "s|@LUA_DIR@|$(sed_escape "$lua_dir")|g" \
      -e "s|@PORT@|$port|" -e "s|@ROOT@|$(sed_escape "$root")|" \
      -e "s|@LATENCY_MS@|$latency_ms|" -e "s|@CHAOS_MIX@|$mix|" -e "s|@CHAOS_SEED@|$chaos_seed|" \
      -e "s|@CAPACITY@|$capacity|" -e "s|@SERVER_INCLUDES@|$(sed_escape "$includes")|" \
      "$conf_in" >"$conf_file"
}

do_start() {
  local pid
  if pid="$(running_pid)"; then
    # Idempotent, but never silently serve something else than what the caller asked for.
    if { [ "$root_given" = 1 ] && [ "$(cd "$root" 2>/dev/null && pwd)" != "$(state root)" ]; } ||
       { [ "$port_given" = 1 ] && [ "$port" != "$(state port)" ]; } ||
       { [ "$latency_given" = 1 ] && [ "$latency_ms" != "$(state latency_ms)" ]; } ||
       { [ "$chaos_given" = 1 ] && [ "$chaos/$chaos_mix" != "$(state chaos)/$(state chaos_mix)" ]; } ||
       { [ "$capacity_given" = 1 ] && [ "$capacity" != "$(state capacity)" ]; }; then
      die "origin already running from $run_dir with other settings ($(do_status)); stop it first"
    fi
    log "origin: already running (pid $pid)"
    state url
    return 0
  fi
  [ -d "$root" ] || die "--root $root is not a folder"
  root="$(cd "$root" && pwd)"
  need_apt nginx-light libnginx-mod-http-lua curl
  [ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ] ||
    die "the nginx Lua module is missing (/usr/lib/nginx/modules/ngx_http_lua_module.so)"
  [ -n "$port" ] || port="$(free_port)"
  mkdir -p "$run_dir/tmp"
  run_dir="$(cd "$run_dir" && pwd)"
  pid_file="$run_dir/nginx.pid" state_file="$run_dir/origin.env" conf_file="$run_dir/nginx.conf"
  rm -f "$pid_file"
  : >"$run_dir/error.log"
  write_conf
  # -e: nginx opens its compiled-in error log (stderr here) before reading the config; -p keeps
  # every relative path inside the run dir.
  nginx -t -q -p "$run_dir" -e "$run_dir/error.log" -c "$conf_file" ||
    die "nginx rejected $conf_file (see above and $run_dir/error.log)"
  # nginx daemonises: the master writes its own pid file, which is the record we stop by.
  nginx -p "$run_dir" -e "$run_dir/error.log" -c "$conf_file" ||
    die "nginx did not start (see $run_dir/error.log)"
  local url="http://127.0.0.1:$port"
  printf 'port=%s\nroot=%s\nlatency_ms=%s\nchaos=%s\nchaos_mix=%s\ncapacity=%s\nurl=%s\n' \
    "$port" "$root" "$latency_ms" "$chaos" "$chaos_mix" "$capacity" "$url" >"$state_file"
  for _ in $(seq 100); do [ -s "$pid_file" ] && break; sleep 0.05; done
  if ! pid="$(running_pid)" || ! wait_http "$url/" 10; then
    tail -n 5 "$run_dir/error.log" >&2 || true
    die "nginx did not come up on $url (see $run_dir/error.log)"
  fi
  log "origin: $url serving $root (pid $pid, latency ${latency_ms} ms, chaos ${chaos_mix:-$chaos} %, capacity $([ "$capacity" -gt 0 ] && echo "$capacity" || echo none), run dir $run_dir)"
  echo "$url"
}

case "$cmd" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
esac
