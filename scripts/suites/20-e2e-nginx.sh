#!/usr/bin/env bash
# 20-e2e-nginx.sh — massfetch end to end against a real nginx origin (scripts/origin.sh):
#   (a) 20,000 generated PNGs, every one stored byte-exact, one result record per entry;
#   (b) a manifest mixing good lines with every fault endpoint, a bad line, a blank and a comment:
#       each record's status and error class;
#   (c) a second run over the same output skips what is stored and sends it no request;
#   (d) user mistakes: non-zero exit, one line on stderr, no stack trace;
#   (e) exit codes and warnings: 3 above --maxFailureRatio, 0 with a warning for an empty or
#       all-invalid manifest, suggestions for a mistyped option or runner.
# Run by scripts/test.sh, or alone: scripts/suites/20-e2e-nginx.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF'
Usage: scripts/suites/20-e2e-nginx.sh

End-to-end tests of scripts/massfetch against nginx (started here on a free 127.0.0.1 port, with
the fault endpoints of scripts/origin.sh). Work files go to $MASSFETCH_ROOT/.run/e2e-nginx.
Environment:
  E2E_NGINX_COUNT        images in part (a) (default 20000)
  E2E_NGINX_KEEP=1       keep the images and outputs afterwards (default: removed when every
                         check passed)
  E2E_NGINX_RUN_TIMEOUT  seconds one massfetch run may take, first build included (default 900)
  MASSFETCH              launcher to test (default scripts/massfetch)
Prints PASS:/FAIL: lines and closes with "20-e2e-nginx: N passed, N failed".
EOF

need_apt python3 curl jq nginx-light libnginx-mod-http-lua

count="${E2E_NGINX_COUNT:-20000}"
work="$MASSFETCH_ROOT/.run/e2e-nginx"
origin_run="$work/origin"
access_log="$origin_run/access.log"
# A run that hangs must not hang the whole test run. --foreground keeps Ctrl-C working; the
# launcher execs java, so the signal reaches the JVM.
run_timeout="${E2E_NGINX_RUN_TIMEOUT:-900}"

cleanup() {
  "$origin" stop --run-dir "$origin_run" >/dev/null 2>&1 || true
  if [ "${E2E_NGINX_KEEP:-0}" != 1 ] && [ "$SUITE_FAILED" -eq 0 ]; then
    rm -rf "$work/images" "$work"/out-*
  fi
}
trap cleanup EXIT

if [ ! -x "$massfetch" ]; then
  fail "scripts/massfetch exists and is executable"
  suite_end
  exit 1
fi

"$origin" stop --run-dir "$origin_run" >/dev/null 2>&1 || true
rm -rf "$work"
mkdir -p "$work/logs"

log "generating $count images"
python3 "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$work/images" --count "$count" \
  --manifest "$work/good.txt" --seed 20 >&2
# The access log is on for the whole suite: part (c) reads which URLs were requested.
base_url="$("$origin" start --root "$work/images" --run-dir "$origin_run" --access-log)"

# run_massfetch NAME ARG...: runs the launcher with a deadline; stdout/stderr to logs/NAME.*,
# exit status to $rc, elapsed seconds to $took.
rc=0 took=0
run_massfetch() {
  local name="$1"; shift
  local started=$SECONDS
  rc=0
  timeout --foreground -k 15 "$run_timeout" "$massfetch" "$@" \
    >"$work/logs/$name.out" 2>"$work/logs/$name.err" || rc=$?
  took=$((SECONDS - started))
  log "massfetch $name: exit $rc after ${took}s"
  if [ "$rc" -ne 0 ]; then
    echo "--- massfetch $* (exit $rc); last lines of stderr:"
    tail -n 15 "$work/logs/$name.err"
  fi
}

# summary_is FILE JQ_EXPR: true when the jq expression holds for summary.json.
summary_is() { [ -f "$1" ] && jq -e "$2" "$1" >/dev/null; }

# log_mark: number of lines in the access log now; requests_since MARK: lines after it.
log_mark() { wc -l <"$access_log"; }
requests_since() { tail -n "+$(($1 + 1))" "$access_log"; }

# ---------------------------------------------------------------------------------------------
# (a) many good images
out_a="$work/out-a"
res_a="$out_a/_results"
run_massfetch a "--manifest=$work/good.txt" "--baseUrl=$base_url" "--output=$out_a"
check "(a) massfetch exits 0 on $count images" [ "$rc" -eq 0 ]
check "(a) every file byte-identical, nothing else stored" same_files "$work/images" "$out_a" "$work/good.txt"
check "(a) summary total=ok=$count, skipped=failed=0" \
  summary_is "$res_a/summary.json" ".total == $count and .ok == $count and .skipped == 0 and .failed == 0"
check "(a) results have exactly $count records" [ "$(records "$res_a" | grep -c .)" -eq "$count" ]
check "(a) each manifest key has exactly one record, status ok" \
  cmp -s <(sort "$work/good.txt") <(records "$res_a" | jq -r 'select(.status == "ok") | .key' | sort)
check "(a) record bytes and md5 match the files" python3 "$py_dir/check_result_md5.py" "$work/images" "$res_a"
if [ -f "$res_a/summary.json" ]; then
  echo "(a) measured: $(jq -r '"\(.images_per_s) images/s, \(.elapsed_s) s, \(.bytes) bytes"' "$res_a/summary.json")" \
    "(launcher wall time ${took}s; not asserted)"
fi

# ---------------------------------------------------------------------------------------------
# (b) faults, one manifest line each. Real files behind the endpoints that end up serving one.
mapfile -t good < <(head -n 8 "$work/good.txt")
mixed="$work/mixed.txt"
cat >"$mixed" <<EOF
# a comment line: not an entry
${good[0]}

${good[1]}
${good[1]}
fault/404/${good[2]}
fault/403/${good[2]}
fault/503-twice/${good[3]}
fault/429/${good[4]}
fault/reset/r.png
fault/truncate/${good[5]}
fault/hang/h.png
fault/html/h.png
fault/big/b.png
fault/big-declared/b.png
fault/redirect/${good[6]}
fault/loop/l.png
../etc/passwd
EOF
entries="$(grep -cvE '^[[:space:]]*(#|$)' "$mixed")"
out_b="$work/out-b"
res_b="$out_b/_results"
mark="$(log_mark)"
# A 2 MiB size cap (the default is 64 MiB): the chunked /fault/big must be cut off by the cap,
# not by the 3 s request timeout, even on a busy machine (under load 30 the JVM took in only
# 8-40 MB of it within 3 s and the entry failed as a timeout). Images are 60 KB at most.
mixed_opts=(--requestTimeoutMs=3000 --maxAttempts=3 --maxObjectBytes=2097152)
run_massfetch b "--manifest=$mixed" "--baseUrl=$base_url" "--output=$out_b" "${mixed_opts[@]}"
check "(b) massfetch exits 0 although images failed" [ "$rc" -eq 0 ]

# expect KEY STATUS ERROR_REGEX [ATTEMPTS]: the one record for KEY has that status, an error
# matching ERROR_REGEX (null for none) and, when given, that many attempts.
expect() {
  local key="$1" status="$2" error="$3" attempts="${4:-}" got gs ge ga
  got="$(records "$res_b" | jq -r --arg k "$key" 'select(.key == $k) | "\(.status) \(.error) \(.attempts)"')"
  if [ "$(printf '%s' "$got" | grep -c .)" -ne 1 ]; then
    fail "(b) $key: one record (got: ${got:-none})"
    return
  fi
  read -r gs ge ga <<<"$got"
  if [ "$gs" = "$status" ] && [[ "$ge" =~ ^($error)$ ]] && { [ -z "$attempts" ] || [ "$ga" = "$attempts" ]; }; then
    pass "(b) $key -> $got"
  else
    fail "(b) $key -> $got (expected $status ${error} ${attempts:+attempts=$attempts})"
  fi
}
expect "${good[0]}" ok null 1
check "(b) a line given twice: one ok record, one skipped duplicate_entry" \
  [ "$(records "$res_b" | jq -r --arg k "${good[1]}" 'select(.key == $k) | "\(.status)/\(.error)"' | sort | tr '\n' ' ')" \
    = "ok/null skipped/duplicate_entry " ]
expect "fault/404/${good[2]}" failed http_404 1
expect "fault/403/${good[2]}" failed http_403 1
expect "fault/503-twice/${good[3]}" ok null 3
expect "fault/429/${good[4]}" ok null 2
# Jetty reports the connection closed before any response as connection_reset (HttpFetcher).
expect "fault/reset/r.png" failed connection_reset
expect "fault/truncate/${good[5]}" failed truncated
expect "fault/hang/h.png" failed timeout
expect "fault/html/h.png" failed not_image
# Chunked (no Content-Length), so the client has to count the bytes as they come.
expect "fault/big/b.png" failed too_large
# Content-Length: 80 MiB declared up front: rejected on the headers, without a retry.
expect "fault/big-declared/b.png" failed too_large 1
expect "fault/redirect/${good[6]}" ok null
expect "fault/loop/l.png" failed too_many_redirects
check "(b) ../etc/passwd -> one failed invalid_entry record" \
  [ "$(records "$res_b" | jq -r 'select(.error == "invalid_entry") | .status' | tr '\n' ' ')" = "failed " ]
check "(b) $entries records for $entries entries (blank and comment lines are not entries)" \
  [ "$(records "$res_b" | grep -c .)" -eq "$entries" ]
check "(b) summary total = ok + skipped + failed = $entries, ok=5, skipped=1" \
  summary_is "$res_b/summary.json" ".total == $entries and .ok + .skipped + .failed == .total and .ok == 5 and .skipped == 1"
check "(b) summary errors agree with the records" \
  cmp -s <(jq -S '.errors' "$res_b/summary.json" 2>/dev/null) \
         <(records "$res_b" | jq -s -S '[.[] | select(.status == "failed") | .error] | group_by(.) | map({(.[0]): length}) | add // {}')
# attempts counts HTTP requests, redirect hops included (EntryFetcher), so the redirect loop is
# left out here.
check "(b) no record used more than --maxAttempts=3 attempts" \
  [ "$(records "$res_b" | jq -s '[.[] | select(.attempts > 3 and .error != "too_many_redirects")] | length')" = 0 ]
# Only the ok entries may be stored (no partial file from truncate/big), byte-exact to their source.
stored_b="$work/stored-b.txt"
records "$res_b" | jq -r 'select(.status == "ok") | .key' | sort >"$stored_b"
check "(b) ok files byte-identical to the origin's, no other file stored" python3 "$py_dir/check_stored_files.py" "$work/images" "$out_b" "$stored_b"
# requested PATH: how many requests for PATH nginx logged since $mark.
requested() { requests_since "$mark" | grep -cF "GET $1 " || true; }
check "(b) nginx saw the 503-twice entry 3 times" [ "$(requested "/fault/503-twice/${good[3]}")" -eq 3 ]
check "(b) nginx saw the 429 entry twice" [ "$(requested "/fault/429/${good[4]}")" -eq 2 ]

# ---------------------------------------------------------------------------------------------
# (c) the same runs again over the same outputs: stored entries are skipped without a request.
mark="$(log_mark)"
run_massfetch c-mixed "--manifest=$mixed" "--baseUrl=$base_url" "--output=$out_b" "${mixed_opts[@]}"
new_requests="$(requests_since "$mark")"
check "(c) rerun of the mixed manifest exits 0" [ "$rc" -eq 0 ]
check "(c) every entry stored by the first run is now skipped (error exists)" \
  cmp -s "$stored_b" <(records "$res_b" | jq -r 'select(.status == "skipped" and .error == "exists") | .key' | sort -u)
check "(c) ...and no request was sent for them" \
  [ "$(printf '%s\n' "$new_requests" | grep -cF -f <(sed 's|^|/|; s|$| |' "$stored_b"))" -eq 0 ]
check "(c) failed entries are tried again (rerunnable)" [ "$(requested "/fault/404/${good[2]}")" -ge 1 ]
check "(c) summary total=$entries, skipped=6 (5 stored + the duplicate line), ok=0" \
  summary_is "$res_b/summary.json" ".total == $entries and .skipped == 6 and .ok == 0"

mark="$(log_mark)"
run_massfetch c-many "--manifest=$work/good.txt" "--baseUrl=$base_url" "--output=$out_a"
check "(c) rerun over the $count stored images exits 0" [ "$rc" -eq 0 ]
check "(c) summary: all $count skipped" \
  summary_is "$res_a/summary.json" ".total == $count and .skipped == $count and .ok == 0 and .failed == 0"
check "(c) $count records, all skipped with error exists" \
  [ "$(records "$res_a" | jq -r 'select(.status == "skipped" and .error == "exists") | .key' | sort -u | grep -c .)" -eq "$count" ]
check "(c) no image was requested from nginx" \
  [ "$(requests_since "$mark" | grep -cF -f <(sed 's|^|/|; s|$| |' "$work/good.txt"))" -eq 0 ]
echo "(c) requests nginx saw during the rerun: $(requests_since "$mark" | grep -c .)"

# ---------------------------------------------------------------------------------------------
# (d) user mistakes: exit non-zero, exactly one line on stderr, no Java stack trace.
# mistake NAME ARG...
mistake() {
  local name="$1"; shift
  run_massfetch "d-$name" "$@" >/dev/null
  local err="$work/logs/d-$name.err"
  local lines
  lines="$(grep -c . "$err" || true)"
  # A stack trace: "Exception in thread", "Caused by:", "\tat ..." frames, or a line that starts
  # with a qualified exception class (an exception's name inside a message is fine).
  if [ "$rc" -ne 0 ] && [ "$lines" -eq 1 ] &&
     ! grep -qE '^Exception in thread|^Caused by:|^[[:space:]]+at |^([a-z_]+\.)+[A-Za-z_$]+(Exception|Error)\b' "$err"; then
    pass "(d) $name: exit $rc, stderr: $(cat "$err")"
  else
    fail "(d) $name: exit $rc, $lines stderr lines (want non-zero exit, 1 line, no stack trace)"
    head -n 8 "$err" | sed 's/^/    /'
  fi
}
mistake missing-manifest "--manifest=$work/no-such-manifest.txt" "--baseUrl=$base_url" "--output=$work/out-d"
mistake bad-baseUrl "--manifest=$work/good.txt" --baseUrl=ftp://x "--output=$work/out-d"
mistake unknown-option "--manifest=$work/good.txt" "--baseUrl=$base_url" "--output=$work/out-d" --nope=1
mistake unwritable-output "--manifest=$work/good.txt" "--baseUrl=$base_url" --output=/proc/x
mistake no-manifest-option "--baseUrl=$base_url" "--output=$work/out-d"
check "(d) no user mistake stored anything" [ ! -e "$work/out-d/${good[0]}" ]
check "(d) a mistyped option is answered with Beam's suggestion" \
  grep -q 'did you mean --maxInFlight?' <(run_massfetch d-typo "--manifest=$work/good.txt" "--baseUrl=$base_url" \
    "--output=$work/out-d" --maxInFlght=4 >/dev/null; cat "$work/logs/d-typo.err")
check "(d) --runner=Flink is answered with FlinkRunner" \
  grep -q 'did you mean --runner=FlinkRunner?' <(run_massfetch d-runner "--manifest=$work/good.txt" "--baseUrl=$base_url" \
    "--output=$work/out-d" --runner=Flink >/dev/null; cat "$work/logs/d-runner.err")

# (e) exit codes of runs that finish: 3 when more entries failed than --maxFailureRatio allows
# (4 good entries, 2 answered 404: a third failed), 0 otherwise; a warning line when the manifest
# gave nothing to fetch.
ratio_manifest="$work/ratio.txt"
printf '%s\n' "${good[@]:0:4}" "fault/404/${good[0]}" "fault/404/${good[1]}" >"$ratio_manifest"
run_massfetch e-ratio "--manifest=$ratio_manifest" "--baseUrl=$base_url" "--output=$work/out-e1" --maxFailureRatio=0.3 >/dev/null
check "(e) 2 of 6 failed above --maxFailureRatio=0.3: exit 3 (got $rc), one line naming http_404" \
  bash -c "[ $rc -eq 3 ] && [ \"\$(grep -c '^massfetch: error: 2 of 6 entries failed .*: http_404 2\$' '$work/logs/e-ratio.err')\" -eq 1 ]"
run_massfetch e-ratio-ok "--manifest=$ratio_manifest" "--baseUrl=$base_url" "--output=$work/out-e2" --maxFailureRatio=0.4 >/dev/null
check "(e) the same run under --maxFailureRatio=0.4 exits 0 (got $rc)" [ "$rc" -eq 0 ]
printf '# only a comment\n\n' >"$work/empty.txt"
run_massfetch e-empty "--manifest=$work/empty.txt" "--baseUrl=$base_url" "--output=$work/out-e3" >/dev/null
check "(e) an empty manifest exits 0 (got $rc) with one warning line" \
  bash -c "[ $rc -eq 0 ] && [ \"\$(grep -c '^massfetch: warning: the manifest has no entries' '$work/logs/e-empty.err')\" -eq 1 ]"
printf '../up.png\nftp://example.com/a.png\n' >"$work/invalid.txt"
run_massfetch e-invalid "--manifest=$work/invalid.txt" "--baseUrl=$base_url" "--output=$work/out-e4" >/dev/null
check "(e) an all-invalid manifest exits 0 (got $rc) with one warning line" \
  bash -c "[ $rc -eq 0 ] && [ \"\$(grep -c '^massfetch: warning: all 2 manifest entries are invalid' '$work/logs/e-invalid.err')\" -eq 1 ]"

suite_end
