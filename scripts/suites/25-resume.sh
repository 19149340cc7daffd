#!/usr/bin/env bash
# 25-resume.sh — resuming without listing the bucket, against a real nginx origin (scripts/origin.sh):
#   (a) a first run where some entries fail (404s, a 503 that heals on the third request, a bad line);
#   (b) the same manifest again with --previousResults: no request for what was stored, those entries
#       skipped/done_before, total = ok + skipped + failed = entries;
#   (c) the first run's results fed back as the manifest with --onlyFailed: exactly the failed
#       entries are requested, each under its recorded key;
#   (d) --previousResults that matches nothing, or names a folder holding no results files: exit 2,
#       one line;
#   (e) a run whose JVM is killed (SIGKILL) at about half way, resumed with --previousResults=<the
#       killed run's results folder> and --skipExisting=false: origin requests over both runs
#       <= 1.1 x entries, both runs' records account for every entry exactly once (done_before for
#       what the first stored), every object byte-exact.
# Run by scripts/test.sh, or alone: scripts/suites/25-resume.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF2'
Usage: scripts/suites/25-resume.sh

Tests --previousResults and --onlyFailed of scripts/massfetch against nginx (started here on a free
127.0.0.1 port with its access log on, which is how requests are counted). Work files go to
$MASSFETCH_ROOT/.run/resume. Environment:
  RESUME_COUNT       good images (default 200)
  RESUME_KILL_COUNT  images of part (e), served with 100 ms of latency (default 2000)
  RESUME_KEEP=1      keep the work files afterwards (default: removed when every check passed)
  MASSFETCH          launcher to test (default scripts/massfetch)
Prints PASS:/FAIL: lines and closes with "25-resume: N passed, N failed".
EOF2

need_apt python3 curl jq nginx-light libnginx-mod-http-lua

count="${RESUME_COUNT:-200}"
work="$MASSFETCH_ROOT/.run/resume"
origin_run="$work/origin"
access_log="$origin_run/access.log"

bg_pid=""
cleanup() {
  # The backgrounded run of part (e), if a failure left it running: only that pid (the launcher
  # execs its JVM in place).
  if [ -n "$bg_pid" ] && kill -0 "$bg_pid" 2>/dev/null; then
    kill "$bg_pid" 2>/dev/null || true
  fi
  "$origin" stop --run-dir "$origin_run" >/dev/null 2>&1 || true
  "$origin" stop --run-dir "$work/origin-slow" >/dev/null 2>&1 || true
  if [ "${RESUME_KEEP:-0}" != 1 ] && [ "$SUITE_FAILED" -eq 0 ]; then
    rm -rf "$work/images" "$work/out" "$work/out-c" "$work/kill-images" "$work/out-e" "$work"/results-e*
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$origin" stop --run-dir "$origin_run" >/dev/null 2>&1 || true
"$origin" stop --run-dir "$work/origin-slow" >/dev/null 2>&1 || true
rm -rf "$work"
mkdir -p "$work/logs"

log "generating $((count + 1)) images"
python3 "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$work/images" --count "$((count + 1))" \
  --manifest "$work/all.txt" --seed 25 >&2
head -n "$count" "$work/all.txt" >"$work/good.txt"
# 503 twice, then the file: with --maxAttempts=2 it fails in (a) and is served from then on. (A file
# added later would not do: the origin's nginx caches "not found" for two minutes.)
late="fault/503-twice/$(tail -n 1 "$work/all.txt")"
base_url="$("$origin" start --root "$work/images" --run-dir "$origin_run" --access-log)"

summary_is() { [ -f "$1/summary.json" ] && jq -e "$2" "$1/summary.json" >/dev/null; }
log_mark() { wc -l <"$access_log"; }
# requested_paths MARK: the paths nginx was asked for since MARK, sorted.
requested_paths() { tail -n "+$(($1 + 1))" "$access_log" | grep -oE '"GET [^ ]+' | sed 's/^"GET //' | sort; }

manifest="$work/manifest.txt"
{ cat "$work/good.txt"; echo "fault/404/a.png"; echo "fault/404/b.png"; echo "$late"; echo "../etc/passwd"; } >"$manifest"
entries=$((count + 4))
out="$work/out"

# (a) first run
mark="$(log_mark)"
run_massfetch a "--manifest=$manifest" "--baseUrl=$base_url" "--output=$out"
check "(a) first run exits 0" [ "$rc" -eq 0 ]
check "(a) total=$entries, ok=$count, failed=4" \
  summary_is "$out/_results" ".total == $entries and .ok == $count and .failed == 4 and .skipped == 0"

# (b) same manifest, --previousResults; existence checks off so only the anti-join can skip.
previous="$out/_results/results-*.jsonl"
mark="$(log_mark)"
run_massfetch b "--manifest=$manifest" "--baseUrl=$base_url" "--output=$out" "--results=$out/_results-b" \
  "--previousResults=$previous" --skipExisting=false
check "(b) rerun with --previousResults exits 0" [ "$rc" -eq 0 ]
check "(b) nginx was asked for exactly the 3 failed URLs, none of the $count stored ones" \
  cmp -s <(requested_paths "$mark" | sort -u) <(printf '/%s\n' fault/404/a.png fault/404/b.png "$late" | sort)
check "(b) the $count stored entries are skipped/done_before" \
  cmp -s <(sort "$work/good.txt") \
         <(records "$out/_results-b" | jq -r 'select(.status == "skipped" and .error == "done_before") | .key' | sort)
check "(b) total = ok + skipped + failed = $entries (skipped=$count, ok=1 healed, failed=3)" \
  summary_is "$out/_results-b" ".total == $entries and .ok + .skipped + .failed == .total and .skipped == $count and .ok == 1 and .failed == 3"

# (c) the first run's results as the manifest, failed records only, into a fresh output (in $out the
# healed entry is stored by (b) and would be skipped as exists).
out_c="$work/out-c"
mark="$(log_mark)"
run_massfetch c "--manifest=$previous" --onlyFailed "--baseUrl=$base_url" "--output=$out_c"
check "(c) --onlyFailed run exits 0" [ "$rc" -eq 0 ]
check "(c) nginx was asked for exactly the 3 failed URLs (the invalid line cannot be refetched)" \
  cmp -s <(requested_paths "$mark" | sort -u) <(printf '/%s\n' fault/404/a.png fault/404/b.png "$late" | sort)
check "(c) 4 entries: the healed one ok, 2 http_404, 1 invalid_entry" \
  summary_is "$out_c/_results" '.total == 4 and .ok == 1 and .failed == 3 and .errors.http_404 == 2 and .errors.invalid_entry == 1'
check "(c) it is stored under its recorded key, byte-identical" cmp -s "$work/images/${late#fault/503-twice/}" "$out_c/$late"

# (d) a glob that matches nothing
run_massfetch d "--manifest=$manifest" "--baseUrl=$base_url" "--output=$out" "--results=$out/_results-d" \
  "--previousResults=$work/nothing-*.jsonl"
check "(d) --previousResults matching nothing: exit 2, one line on stderr" \
  [ "$rc" -eq 2 -a "$(grep -c . "$work/logs/d.err")" -eq 1 ]
# A folder with files, but no results files: the run must not start and resume nothing.
mkdir -p "$work/no-results" && echo '{}' >"$work/no-results/summary.json"
run_massfetch d2 "--manifest=$manifest" "--baseUrl=$base_url" "--output=$out" "--results=$out/_results-d" \
  "--previousResults=$work/no-results"
check "(d) --previousResults naming a folder without results files: exit 2, one line naming it" \
  [ "$rc" -eq 2 -a "$(grep -c . "$work/logs/d2.err")" -eq 1 ] && grep -q "no-results" "$work/logs/d2.err"

# (e) kill -9 of the JVM at about half way, then resume from the results folder it left. 100 ms per
# request and 8 in flight stretch the run to about half a minute, so the kill lands mid-run; files
# roll every second or 50 records, which is what the killed run can lose per worker thread.
kill_count="${RESUME_KILL_COUNT:-2000}"
log "generating $kill_count images for the kill"
python3 "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$work/kill-images" --count "$kill_count" \
  --manifest "$work/kill.txt" --seed 26 >&2
slow_url="$("$origin" start --root "$work/kill-images" --run-dir "$work/origin-slow" --latency-ms 100 --access-log)"
slow_requests() { grep -c 'GET ' "$work/origin-slow/access.log" 2>/dev/null || true; }
out_e="$work/out-e"
e_common=("--manifest=$work/kill.txt" "--baseUrl=$slow_url" "--output=$out_e" --skipExisting=false
  --maxInFlight=8 --resultsFileSeconds=1 --resultsFileRecords=50)
"$massfetch" "${e_common[@]}" "--results=$work/results-e1" --progressIntervalSeconds=0 \
  >"$work/logs/e1.out" 2>"$work/logs/e1.err" &
bg_pid=$!
killed_at=""
deadline=$((SECONDS + 600))
while kill -0 "$bg_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
  requested="$(slow_requests)"
  if [ "$requested" -ge $((kill_count / 2)) ]; then
    kill -9 "$bg_pid"
    killed_at="$requested"
    break
  fi
  sleep 0.2
done
rc_e1=0
wait "$bg_pid" || rc_e1=$?
bg_pid=""
requests_e1="$(slow_requests)"
log "massfetch e1: exit $rc_e1, killed at ${killed_at:-never} requests, $requests_e1 in all"
check "(e) the JVM was killed mid-run (at ${killed_at:-never} of $kill_count requests)" \
  test -n "$killed_at" -a "$rc_e1" -eq 137
run_massfetch e2 "${e_common[@]}" "--results=$work/results-e2" "--previousResults=$work/results-e1"
requests_e="$(slow_requests)"
check "(e) the resumed run exits 0" [ "$rc" -eq 0 ]
check "(e) $requests_e origin requests over both runs for $kill_count entries (<= 1.1 x; killed run $requests_e1)" \
  [ $((requests_e * 10)) -le $((kill_count * 11)) ]
check "(e) both runs' records account for every entry exactly once, done_before for what the first stored" \
  python3 "$py_dir/check_resumed_results.py" "$work/results-e1" "$work/results-e2" "$work/kill.txt"
check "(e) every object byte-exact" same_files "$work/kill-images" "$out_e" "$work/kill.txt" _results killed
echo "(e) measured: origin requests $requests_e1 in the killed run + $((requests_e - requests_e1)) in the resumed one" \
  "for $kill_count entries, ratio $(python3 -c "print(round($requests_e / $kill_count, 3))")"

suite_end
