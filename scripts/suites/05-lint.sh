#!/usr/bin/env bash
# 05-lint.sh — the Python under scripts/ and dags/ passes ruff (settings in scripts/ruff.toml), and
# the check is real: a file with an unused import fails it. ruff is installed, pinned, into a venv
# in the tools cache on first use.
# Run by scripts/test.sh, or alone: scripts/suites/05-lint.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF_USAGE'
Usage: scripts/suites/05-lint.sh   (a few seconds once ruff is installed)

Environment: MASSFETCH_TOOLS   tools dir (default ~/.cache/massfetch/tools)
EOF_USAGE

RUFF_VERSION=0.17.5
venv="${MASSFETCH_TOOLS:-$HOME/.cache/massfetch/tools}/ruff-$RUFF_VERSION"
if [ ! -x "$venv/bin/ruff" ]; then
  need_apt python3 python3-venv
  log "installing ruff $RUFF_VERSION into $venv"
  python3 -m venv "$venv" >&2 || die "python3 -m venv failed (apt-get install python3-venv)"
  "$venv/bin/pip" install -q --disable-pip-version-check "ruff==$RUFF_VERSION" >&2 || die "pip install ruff failed"
fi
ruff=("$venv/bin/ruff" check --config "$MASSFETCH_ROOT/scripts/ruff.toml" --no-cache)

check "ruff: scripts/ and dags/ lint clean" "${ruff[@]}" "$MASSFETCH_ROOT/scripts" "$MASSFETCH_ROOT/dags"

bad="$MASSFETCH_ROOT/.run/lint-bad"
rm -rf "$bad" && mkdir -p "$bad"
printf 'import os\nprint("unused import above")\n' >"$bad/unused.py"
check "ruff rejects an unused import" bash -c "! $(printf '%q ' "${ruff[@]}") '$bad/unused.py' >/dev/null"
rm -rf "$bad"
suite_end
