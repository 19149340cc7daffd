#!/usr/bin/env bash
# test.sh: every test massfetch has, on a fresh machine. Installs what the tests need, runs the
# Java tests (unit and pipeline tests against servers the tests start), then each suite in
# scripts/suites/ in name order (lint, nginx end to end, object stores, Airflow, Flink, benchmark smoke).
# Exits non-zero if anything failed; the last line is the overall tally.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/test.sh [--only PATTERN] [--no-java] [--list]

  --only PATTERN   run only the suites whose file name contains PATTERN (Java tests still run
                   unless --no-java)
  --no-java        skip the Maven build and Java tests (uses the jars already built)
  --list           list the suites and exit
USAGE
}

only=""
java_tests=1
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --only=*) only="${1#--only=}"; shift ;;
    --no-java) java_tests=0; shift ;;
    --list) ls "$MASSFETCH_ROOT/scripts/suites/"; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

cd "$MASSFETCH_ROOT"
command -v java >/dev/null || need_apt openjdk-17-jdk-headless
command -v mvn >/dev/null || need_apt maven
need_apt curl python3

passed=0
failed=0
failures=()
started=$SECONDS
# Logs of the Java build and of each suite (also with --no-java on a fresh checkout).
mkdir -p "$MASSFETCH_ROOT/.run"

if [ "$java_tests" = 1 ]; then
  log "Java: build and run the unit and pipeline tests"
  if mvn -B -ntp -Dmaven.test.failure.ignore=true clean install 2>&1 | tee "$MASSFETCH_ROOT/.run/maven-test.log" | grep -E "Tests run:|FAIL|BUILD|ERROR\]" ; then :; fi
  # Surefire's own reports are the source of truth for the counts.
  read -r jp jf < <(python3 "$MASSFETCH_ROOT/scripts/py/surefire_counts.py"
  )
  if ! grep -q "BUILD SUCCESS" "$MASSFETCH_ROOT/.run/maven-test.log"; then
    jf=$((jf + 1))
    failures+=("maven build")
  fi
  passed=$((passed + jp))
  failed=$((failed + jf))
  [ "$jf" -gt 0 ] && failures+=("java tests ($jf)")
  log "Java: $jp passed, $jf failed"
fi

for suite in "$MASSFETCH_ROOT"/scripts/suites/*.sh; do
  name="$(basename "$suite" .sh)"
  if [ -n "$only" ] && [[ "$name" != *"$only"* ]]; then
    continue
  fi
  log "suite $name"
  suite_start=$SECONDS
  out="$MASSFETCH_ROOT/.run/suite-$name.log"
  set +e
  bash "$suite" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  set -e
  sp=$(grep -c '^PASS: ' "$out" || true)
  sf=$(grep -c '^FAIL: ' "$out" || true)
  if [ "$rc" -ne 0 ] && [ "$sf" -eq 0 ]; then
    sf=1 # the suite died before it could say which check failed
  fi
  passed=$((passed + sp))
  failed=$((failed + sf))
  [ "$sf" -gt 0 ] && failures+=("$name")
  log "suite $name: $sp passed, $sf failed in $((SECONDS - suite_start)) s"
done

log "all tests took $((SECONDS - started)) s"
if [ ${#failures[@]} -gt 0 ]; then
  log "failed: ${failures[*]}"
  # Repeated at the end, where a CI page that shows only the head and the tail of the output still
  # names them: each failed check with the five lines before it (what the suite printed about it),
  # or the last lines of a suite that died before it could say.
  for name in "${failures[@]}"; do
    out="$MASSFETCH_ROOT/.run/suite-$name.log"
    if [ -f "$out" ]; then
      echo "--- $name:"
      if grep -q '^FAIL: ' "$out"; then grep -B5 '^FAIL: ' "$out" | tail -n 60; else tail -n 15 "$out"; fi
    elif [[ "$name" == "java tests"* ]]; then
      echo "--- $name:"
      grep -E '^\[ERROR\] +[A-Za-z]+Test' "$MASSFETCH_ROOT/.run/maven-test.log" | head -n 20 || true
    fi
  done
fi
echo "test.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
