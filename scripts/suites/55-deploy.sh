#!/usr/bin/env bash
# 55-deploy.sh — the Flink deployment files (runners/flink/deploy/) pass their checks
# (scripts/check-deploy.sh: hadolint, the FlinkDeployment CRD schema), and the checks are real: a
# Dockerfile with an untagged base image and a FlinkDeployment with an unknown Flink version fail.
# Run by scripts/test.sh, or alone: scripts/suites/55-deploy.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF'
Usage: scripts/suites/55-deploy.sh   (a few seconds once its tools are installed)
EOF

started=$SECONDS
tools="$MASSFETCH_ROOT/.run/deploy-tools"
check "Dockerfile lints clean, FlinkDeployment valid against the operator's CRD schema" \
  "$MASSFETCH_ROOT/scripts/check-deploy.sh" --tools "$tools"

bad="$MASSFETCH_ROOT/.run/deploy-bad"
rm -rf "$bad" && mkdir -p "$bad"
sed 's/^FROM flink:.*/FROM flink/' "$MASSFETCH_ROOT/runners/flink/deploy/Dockerfile" >"$bad/Dockerfile"
check "hadolint rejects an untagged base image" \
  bash -c "[ -x '$tools/venv/bin/hadolint' ] && ! '$tools/venv/bin/hadolint' --no-color '$bad/Dockerfile' >/dev/null"
sed 's/flinkVersion: v1_19/flinkVersion: v1_99/' "$MASSFETCH_ROOT/runners/flink/deploy/flinkdeployment.yaml" >"$bad/flinkdeployment.yaml"
check "the schema check rejects an unknown flinkVersion (and only that)" \
  bash -c "node '$tools/node/check.mjs' '$bad/flinkdeployment.yaml' 2>&1 | grep -q 'flinkVersion must be equal to one of'"
rm -rf "$bad"
echo "55-deploy took $((SECONDS - started)) s"
suite_end
