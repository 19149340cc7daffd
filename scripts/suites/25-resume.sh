#!/usr/bin/env bash
# 25-resume.sh — resuming without listing the bucket, against a real nginx origin (scripts/origin.sh):
#   (a) a first run where some entries fail (404s, a 503 that heals on the third request, a bad line);
#   (b) the same manifest again with --previousResults: no request for what was stored, those entries
#       skipped/done_before, total = ok + skipped + failed = entries;
#   (c) the first run's results fed back as the manifest with --onlyFailed: exactly the failed
#       entries are requested, each under its recorded key;
#   (d) --previousResults that matches nothing: exit 2, one line.
# Run by scripts/test.sh, or alone: scripts/suites/25-resume.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF2'
Usage: scripts/suites/25-resume.sh

Tests --previousResults and --onlyFailed of scripts/massfetch against nginx (started here on a free
127.0.0.1 port with its access log on, which is how requests are counted). Work files go to
$MASSFETCH_ROOT/.run/resume. Environment:
  RESUME_COUNT       good images (default 200)
  RESUME_KEEP=1      keep the work files afterwards (default: removed when every check passed)
  MASSFETCH          launcher to test (default scripts/massfetch)
Prints PASS:/FAIL: lines and closes with "25-resume: N passed, N failed".
EOF2

need_apt python3 curl jq nginx-light libnginx-mod-http-lua

count="${RESUME_COUNT:-200}"
work="$MASSFETCH_ROOT/.run/resume"
origin_run="$work/origin"
access_log="$origin_run/access.log"

cleanup() {
  "$origin" stop --run-dir "$origin_run" >/dev/null 2>&1 || true
  if [ "${RESUME_KEEP:-0}" != 1 ] && [ "$SUITE_FAILED" -eq 0 ]; then
    rm -rf "$work/images" "$work/out" "$work/out-c"
  fi
}
trap cleanup EXIT

"$origin" stop --run-dir "$origin_run" >/dev/null 2>&1 || true
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

rc=0
run_massfetch() {
  local name="$1"; shift
  rc=0
  timeout --foreground -k 15 600 "$massfetch" "$@" --progressIntervalSeconds=0 --maxAttempts=2 \
    >"$work/logs/$name.out" 2>"$work/logs/$name.err" || rc=$?
  log "massfetch $name: exit $rc"
  [ "$rc" -eq 0 ] || tail -n 15 "$work/logs/$name.err"
}
records() { cat "$1"/results-*.jsonl 2>/dev/null || true; }
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

suite_end
