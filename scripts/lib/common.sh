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
  python3 - "$1" "$2" <<'PY'
import json, re, sys, urllib.parse, urllib.request
rest, name = sys.argv[1:3]
def get(path):
    with urllib.request.urlopen(rest + path, timeout=10) as r:
        return json.load(r)
try:
    jobs = [j for j in get("/jobs/overview")["jobs"] if j["name"] == name]
    if not jobs:
        sys.exit(0)
    job = max(jobs, key=lambda j: j["start-time"])
    jid = job["jid"]
    fetched = 0
    pat = re.compile(r".*FetchAndStore[^.]*\)\)\.numRecordsOut")
    for v in get("/jobs/" + jid)["vertices"]:
        base = "/jobs/%s/vertices/%s/subtasks/metrics" % (jid, v["id"])
        ids = [m["id"] for m in get(base) if pat.match(m["id"])]
        if ids:
            q = ",".join(urllib.parse.quote(i) for i in ids)
            fetched = max([fetched] + [int(float(m.get("sum", 0))) for m in get(base + "?agg=sum&get=" + q)])
    print(jid, job["state"], fetched)
except Exception:  # REST busy or the job just ended
    pass
PY
}

# same_files SRC DST MANIFEST [IGNORE_DIR] [killed]: checks that every relative path listed in
# MANIFEST (blank and #comment lines ignored) is byte-identical under SRC and DST, and that DST
# holds no other file outside IGNORE_DIR (default _results). A leftover temp file is an error,
# unless "killed" is given: then a worker was killed mid-write, and its hidden .massfetch-tmp- files
# (never under a final name; a later run removes them once stale) are counted, not failed. Prints
# one line of counts; returns non-zero on any difference.
same_files() {
  python3 - "$1" "$2" "$3" "${4:-_results}" "${5:-}" <<'PY'
import os, sys
src, dst, manifest, ignore, killed = sys.argv[1:6]
keys = [l.strip() for l in open(manifest, encoding="utf-8")]
keys = [k for k in keys if k and not k.startswith("#")]
same = missing = differ = 0
for k in keys:
    a, b = os.path.join(src, k), os.path.join(dst, k)
    if not os.path.isfile(b):
        missing += 1
        if missing <= 5: print("missing:", k)
        continue
    with open(a, "rb") as fa, open(b, "rb") as fb:
        if fa.read() == fb.read():
            same += 1
        else:
            differ += 1
            if differ <= 5: print("differs:", k)
wanted = set(keys)
extra, temp = [], []
for d, dirs, files in os.walk(dst):
    rel = os.path.relpath(d, dst)
    if rel == ignore or rel.startswith(ignore + os.sep):
        continue
    for f in files:
        p = os.path.normpath(os.path.join(rel, f))
        if killed == "killed" and f.startswith(".massfetch-tmp-"):
            temp.append(p)
        elif p not in wanted:
            extra.append(p)
for p in extra[:5]:
    print("unexpected file:", p)
print("same_files: %d identical, %d missing, %d different, %d unexpected (of %d listed)%s"
      % (same, missing, differ, len(extra), len(keys),
         ", %d hidden temp files left by the kill" % len(temp) if killed == "killed" else ""))
sys.exit(0 if same == len(keys) and not extra else 1)
PY
}
