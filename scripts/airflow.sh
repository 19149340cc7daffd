#!/usr/bin/env bash
# airflow.sh — the project's own Airflow: a venv with pinned Airflow 3 + the Beam provider, a
# throwaway AIRFLOW_HOME (SQLite) with the DAG folder pointed at dags/, the DAG's tests, and
# `airflow standalone` for a person to click through.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'EOF'
Usage: scripts/airflow.sh setup|test|standalone|cli|pytest|freeze [args]

Commands:
  setup         create/refresh the venv (default $MASSFETCH_ROOT/.venv-airflow) with the versions
                pinned in dags/requirements-airflow.txt + dags/constraints-airflow.txt, from PyPI.
                Idempotent: a venv already matching the pins is left alone (about a second).
                A fresh install takes minutes: measured 4.5 min on a quiet 2-core machine, 8 min
                on a busy one (about 2.2 GB, most of it the google provider that the Beam
                provider needs: see dags/requirements-airflow.txt).
  test          setup, then run scripts/suites/40-airflow.sh: pytest on dags/tests plus real
                `airflow dags test massfetch` runs against a local nginx origin (DirectRunner,
                and FlinkRunner on a Flink cluster of its own from scripts/flink-cluster.sh).
  standalone    setup, then `airflow standalone` in the foreground with AIRFLOW_HOME
                $MASSFETCH_ROOT/.run/airflow-home and the DAG folder $MASSFETCH_ROOT/dags.
                Prints the UI address and the admin password file; Ctrl-C stops it.
                --port P sets the UI port (default: a free one).
  cli ARGS...   run the `airflow` CLI of the venv with this script's environment, e.g.
                scripts/airflow.sh cli dags list
  pytest ARGS...  run pytest from the venv on dags/tests (ARGS are passed on).
  freeze        rewrite dags/constraints-airflow.txt from the venv (after changing the pins).

Environment:
  MASSFETCH_AIRFLOW_VENV   venv folder (default $MASSFETCH_ROOT/.venv-airflow)
  AIRFLOW_HOME             used as is when set; otherwise $MASSFETCH_ROOT/.run/airflow-home
  MASSFETCH_PYTHON         interpreter for the venv (default: python3.11, else python3 3.10-3.13)
EOF
}

venv="${MASSFETCH_AIRFLOW_VENV:-$MASSFETCH_ROOT/.venv-airflow}"
requirements="$MASSFETCH_ROOT/dags/requirements-airflow.txt"
constraints="$MASSFETCH_ROOT/dags/constraints-airflow.txt"
stamp="$venv/.massfetch-setup-stamp"

# pick_python: an interpreter Airflow 3.3 supports (3.10-3.13).
pick_python() {
  local c
  for c in "${MASSFETCH_PYTHON:-}" python3.11 python3.12 python3.13 python3.10 python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || continue
    if "$c" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)' 2>/dev/null; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

# setup_key: what the venv must match; any change to the pins or the interpreter reinstalls.
setup_key() {
  cat "$requirements" "$constraints" | sha256sum | cut -d' ' -f1
}

do_setup() {
  local key
  key="$(setup_key)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -x "$venv/bin/airflow" ]; then
    log "airflow venv up to date: $venv"
    return 0
  fi
  local python started=$SECONDS
  python="$(pick_python)" || die "no Python 3.10-3.13 found (set MASSFETCH_PYTHON)"
  # Java runs the Beam job under the download task; the provider calls plain `java` on PATH.
  command -v java >/dev/null 2>&1 || need_apt openjdk-17-jre-headless
  if [ ! -x "$venv/bin/python" ]; then
    log "creating venv $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
  fi
  rm -f "$stamp"
  log "installing Airflow into $venv (a few minutes on a fresh machine)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
  # The constraints pin every transitive package, so the resolver has nothing to search and a CI
  # machine gets exactly the tested set.
  "$venv/bin/python" -m pip install -q --disable-pip-version-check \
    -r "$requirements" -c "$constraints" >&2
  "$venv/bin/python" -m pip check >&2 || die "pip check found broken requirements in $venv"
  echo "$key" >"$stamp"
  log "airflow venv ready in $((SECONDS - started))s: $("$venv/bin/airflow" version 2>/dev/null | tail -n 1)"
}

# airflow_env: the environment every command here runs Airflow with. AIRFLOW_HOME given by the
# caller wins (the test suite passes a fresh temporary one).
airflow_env() {
  # The venv's bin first: `airflow standalone` starts its components as `airflow ...` from PATH,
  # and the provider starts the Beam job as `java` from PATH.
  export PATH="$venv/bin:$PATH"
  export AIRFLOW_HOME="${AIRFLOW_HOME:-$MASSFETCH_ROOT/.run/airflow-home}"
  export AIRFLOW__CORE__DAGS_FOLDER="$MASSFETCH_ROOT/dags"
  export AIRFLOW__CORE__LOAD_EXAMPLES=False
  # Airflow's own unit-test switches stay off: this is a real Airflow with a real SQLite DB.
  export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True
  mkdir -p "$AIRFLOW_HOME"
}

# init_db: creates or upgrades the SQLite metadata DB in AIRFLOW_HOME (idempotent).
init_db() {
  if [ ! -f "$AIRFLOW_HOME/airflow.db" ]; then
    log "initialising Airflow DB in $AIRFLOW_HOME"
    "$venv/bin/airflow" db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 \
      || { tail -n 20 "$AIRFLOW_HOME/db-migrate.log" >&2; die "airflow db migrate failed"; }
  fi
}

cmd="${1:-}"
case "$cmd" in
  -h|--help|help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
esac
shift

case "$cmd" in
  setup)
    do_setup
    ;;
  test)
    do_setup
    exec "$MASSFETCH_ROOT/scripts/suites/40-airflow.sh" "$@"
    ;;
  standalone)
    port=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --port) port="${2:?--port needs a value}"; shift 2 ;;
        --port=*) port="${1#*=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
      esac
    done
    do_setup
    airflow_env
    init_db
    port="${port:-$(free_port)}"
    export AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT="$port"
    export AIRFLOW__API__BASE_URL="http://127.0.0.1:$port"
    log "Airflow UI: http://127.0.0.1:$port  (user admin; password in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated)"
    log "DAG folder: $AIRFLOW__CORE__DAGS_FOLDER; unpause 'massfetch' and use Trigger to fill in the params"
    exec "$venv/bin/airflow" standalone
    ;;
  cli)
    [ -x "$venv/bin/airflow" ] || die "no Airflow venv yet: run scripts/airflow.sh setup"
    airflow_env
    init_db
    exec "$venv/bin/airflow" "$@"
    ;;
  pytest)
    [ -x "$venv/bin/pytest" ] || die "no Airflow venv yet: run scripts/airflow.sh setup"
    airflow_env
    init_db
    cd "$MASSFETCH_ROOT"
    exec "$venv/bin/pytest" -p no:cacheprovider "$MASSFETCH_ROOT/dags/tests" "$@"
    ;;
  freeze)
    [ -x "$venv/bin/pip" ] || die "no Airflow venv yet: run scripts/airflow.sh setup"
    {
      echo "# Exact versions of every package in the massfetch Airflow venv, frozen from a working install"
      echo "# ($("$venv/bin/python" --version), $(date -u +%Y-%m-%d)). Used as pip -c by scripts/airflow.sh setup;"
      echo "# regenerate with scripts/airflow.sh freeze after changing requirements-airflow.txt."
      "$venv/bin/pip" freeze --all --exclude-editable | grep -v '^pip==\|^setuptools==\|^wheel=='
    } >"$constraints.tmp"
    mv "$constraints.tmp" "$constraints"
    setup_key >"$stamp"
    log "wrote $constraints"
    ;;
  *)
    die "unknown command '$cmd' (setup|test|standalone|cli|pytest|freeze; see --help)"
    ;;
esac
