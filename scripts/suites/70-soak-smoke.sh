#!/usr/bin/env bash
# 70-soak-smoke.sh — CI smoke of the fault soak: runs scripts/soak.sh --quick (3,000 entries from
# an nginx origin injecting random faults, DirectRunner only) and turns each of its checks into a
# PASS:/FAIL: line of this suite, plus checks that its report was written. Fault counts are random:
# only invariants are asserted (see scripts/soak.sh --help).
# Run by scripts/test.sh, or alone: scripts/suites/70-soak-smoke.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF'
Usage: scripts/suites/70-soak-smoke.sh

Runs scripts/soak.sh --quick in $MASSFETCH_ROOT/.run/soak-smoke (its origin on a free 127.0.0.1
port, stopped at the end) and reports each soak check as PASS:/FAIL:, then
"70-soak-smoke: N passed, N failed". Takes under a minute on 2 cores once the jar is built.
Environment: SOAK_SMOKE_TIMEOUT (seconds for the whole soak, default 170).
EOF

need_apt jq curl python3

work="$MASSFETCH_ROOT/.run/soak-smoke"
# The soak's own deadline for the massfetch run is 150 s; this one bounds everything else too.
# timeout signals soak.sh, whose trap stops the origin and the JVM it started.
rc=0
started=$SECONDS
timeout -k 20 "${SOAK_SMOKE_TIMEOUT:-170}" "$MASSFETCH_ROOT/scripts/soak.sh" --quick --work "$work" \
  >"$MASSFETCH_ROOT/.run/soak-smoke.out" 2>"$MASSFETCH_ROOT/.run/soak-smoke.err" || rc=$?
took=$((SECONDS - started))

# Each soak check becomes one of ours; other lines (figures) are shown as they are.
n=0
while IFS= read -r line; do
  case "$line" in
    PASS:*) pass "soak ${line#PASS: }"; n=$((n + 1)) ;;
    FAIL:*) fail "soak ${line#FAIL: }"; n=$((n + 1)) ;;
    "soak: "*) ;;  # soak.sh's own tally
    *) echo "$line" ;;
  esac
done <"$MASSFETCH_ROOT/.run/soak-smoke.out"

check "soak.sh --quick exits 0 (took ${took}s, under the 170 s bound)" [ "$rc" -eq 0 ]
if [ "$rc" -ne 0 ]; then
  tail -n 20 "$MASSFETCH_ROOT/.run/soak-smoke.err"
fi
# 8 checks: exit, one record per entry, summary, byte-exact, nothing else stored, failure classes,
# ok ratio, every fault kind injected. (Memory is reported, not asserted, in a run this short.)
check "soak.sh ran all its checks ($n of 8)" [ "$n" -ge 8 ]
report_complete() {
  jq -e '.parts.direct | (.chaos.faults | length > 0) and (.ok > 0) and (.errors | type == "object")' \
    "$work/report.json" >/dev/null 2>&1
}
check "report.json lists faults by kind and results by class" report_complete
check "no origin left running" bash -c "! '$MASSFETCH_ROOT/scripts/origin.sh' status --run-dir '$work/origin' >/dev/null 2>&1"
if [ "$SUITE_FAILED" -eq 0 ]; then
  rm -rf "$work/images" "$work/images.stamp" "$work"/out-*
fi
suite_end
