# Shared shell helpers for massfetch scripts. Source it; do not run it.
# shellcheck shell=bash

MASSFETCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export MASSFETCH_ROOT

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# need_apt PKG...: installs Debian packages that are missing (idempotent; apt-get update once per run).
need_apt() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "${MASSFETCH_APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq >&2
    export MASSFETCH_APT_UPDATED=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

# free_port: prints a TCP port nobody listens on right now (127.0.0.1).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [SECONDS]: waits until URL answers (any HTTP status).
wait_http() {
  local url="$1" deadline=$((SECONDS + ${2:-30}))
  until curl -s -o /dev/null "$url"; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.2
  done
}

# stop_pidfile FILE: stops the process whose pid FILE records (TERM, then KILL), removes FILE.
stop_pidfile() {
  local f="$1" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# nginx_master_pid PID_FILE CONF_FILE: prints the recorded pid when that process is alive AND is
# an nginx master started with CONF_FILE (a pid file can outlive its process and the pid can be
# reused); returns 1 otherwise.
nginx_master_pid() {
  local pid_file="$1" conf_file="$2" pid
  [ -f "$pid_file" ] || return 1
  pid="$(tr -d '[:space:]' <"$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$conf_file" || return 1
  echo "$pid"
}

# Test bookkeeping for suites: check NAME CMD... runs CMD and records PASS/FAIL.
SUITE_PASSED=0
SUITE_FAILED=0
pass() { SUITE_PASSED=$((SUITE_PASSED + 1)); printf 'PASS: %s\n' "$*"; }
fail() { SUITE_FAILED=$((SUITE_FAILED + 1)); printf 'FAIL: %s\n' "$*"; }
check() {
  local name="$1"; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
# suite_end: prints the suite's tally and exits non-zero when anything failed.
suite_end() {
  printf '%s: %d passed, %d failed\n' "$(basename "$0" .sh)" "$SUITE_PASSED" "$SUITE_FAILED"
  [ "$SUITE_FAILED" -eq 0 ]
}

# massfetch_jar RUNNER: path of the runnable jar for a runner module (direct|flink).
massfetch_jar() { echo "$MASSFETCH_ROOT/runners/$1/target/massfetch-$1.jar"; }

# flink_job_info REST_URL JOB_NAME: prints "jid state fetched" of the newest job called JOB_NAME.
# fetched is the FetchAndStore operator's live numRecordsOut, summed over its subtasks. Prints
# nothing when there is no such job yet or the REST API did not answer: callers poll again.
flink_job_info() {
  python3 "$MASSFETCH_ROOT/scripts/py/flink_job_info.py" "$1" "$2"
}

# same_files SRC DST MANIFEST [IGNORE_DIR] [killed]: checks that every relative path listed in
# MANIFEST (blank and #comment lines ignored) is byte-identical under SRC and DST, and that DST
# holds no other file outside IGNORE_DIR (default _results). A leftover temp file is an error,
# unless "killed" is given: then a worker was killed mid-write, and its hidden .massfetch-tmp- files
# (never under a final name; a later run removes them once stale) are counted, not failed. Prints
# one line of counts; returns non-zero on any difference.
same_files() {
  python3 "$MASSFETCH_ROOT/scripts/py/same_files.py" "$1" "$2" "$3" "${4:-_results}" "${5:-}"
}
