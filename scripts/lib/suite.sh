# suite.sh — the preamble every scripts/suites/*.sh sources first: strict mode, the shared helpers
# (common.sh: check, pass/fail, suite_end, free_port, stop_pidfile…), the scripts a suite drives,
# and --help.
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
#   suite_help "$@" <<'EOF'
#   Usage: scripts/suites/NN-name.sh …
#   EOF
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The launcher under test (MASSFETCH names another, e.g. an installed one), the test origin, the
# object-store emulators, and the Python checkers the suites run.
massfetch="${MASSFETCH:-$MASSFETCH_ROOT/scripts/massfetch}"
origin="$MASSFETCH_ROOT/scripts/origin.sh"
emu="$MASSFETCH_ROOT/scripts/storage-emulators.sh"
py_dir="$MASSFETCH_ROOT/scripts/py"

# run_massfetch NAME ARGS...: the launcher under test with the suites' settings (no progress lines,
# two attempts, 10 minutes at most), its output in $work/logs/NAME.{out,err}; sets rc to its exit
# code and shows the end of its errors when it failed. Suites that run it differently define their own.
rc=0
run_massfetch() {
  local name="$1"; shift
  rc=0
  timeout --foreground -k 15 600 "$massfetch" "$@" --progressIntervalSeconds=0 --maxAttempts=2 \
    >"$work/logs/$name.out" 2>"$work/logs/$name.err" || rc=$?
  log "massfetch $name: exit $rc"
  [ "$rc" -eq 0 ] || tail -n 15 "$work/logs/$name.err"
}
# records FOLDER: every result record in FOLDER's results files.
records() { cat "$1"/results-*.jsonl 2>/dev/null || true; }

# suite_help "$@" <<'EOF' … EOF: with -h or --help, prints the usage text on stdin and exits 0;
# otherwise reads it and goes on.
suite_help() {
  if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
    cat
    exit 0
  fi
  cat >/dev/null
}
