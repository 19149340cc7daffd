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

# suite_help "$@" <<'EOF' … EOF: with -h or --help, prints the usage text on stdin and exits 0;
# otherwise reads it and goes on.
suite_help() {
  if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
    cat
    exit 0
  fi
  cat >/dev/null
}
