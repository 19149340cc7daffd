#!/usr/bin/env bash
# demo.sh — massfetch end to end on one machine, for a newcomer: local images, a local nginx
# origin, one massfetch run, a byte-for-byte check of what it stored, and the run's summary.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'EOF'
Usage: scripts/demo.sh [--count N] [--latency-ms N] [--timeout S] [--work DIR] [-- MASSFETCH_OPTION...]

On a fresh machine: installs what is missing (nginx, its Lua module, curl, jq, python3, a JDK 17
and Maven; scripts/massfetch builds the jar the first time, which takes a few minutes), generates N PNG
images (default 3000), serves them with nginx on a free 127.0.0.1 port, downloads them all with
  scripts/massfetch --manifest=<m> --baseUrl=http://127.0.0.1:<port> --output=<dir>
checks that every stored file is byte-identical to the origin's, prints summary.json and stops
nginx. Exits non-zero when anything is off.

Options:
  --count N         images to generate (default 3000)
  --latency-ms N    latency nginx adds to every request (default 0)
  --timeout S       give massfetch (build included) at most S seconds (default 1800)
  --work DIR        working folder (default $MASSFETCH_ROOT/.run/demo; its images/ and out/
                    are recreated on every run)
  -- OPTION...      extra massfetch options, e.g. -- --maxInFlight=64
  -h, --help        this help
EOF
}

count=3000
latency_ms=0
timeout_s=1800
work="$MASSFETCH_ROOT/.run/demo"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --count) count="${2:?--count needs a value}"; shift 2 ;;
    --count=*) count="${1#*=}"; shift ;;
    --latency-ms) latency_ms="${2:?--latency-ms needs a value}"; shift 2 ;;
    --latency-ms=*) latency_ms="${1#*=}"; shift ;;
    --timeout) timeout_s="${2:?--timeout needs a value}"; shift 2 ;;
    --timeout=*) timeout_s="${1#*=}"; shift ;;
    --work) work="${2:?--work needs a value}"; shift 2 ;;
    --work=*) work="${1#*=}"; shift ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$count" =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive number"
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"

need_apt python3 curl jq nginx-light libnginx-mod-http-lua
# The launcher needs java, and Maven while the jar is not built yet; it does not install them.
command -v java >/dev/null || need_apt openjdk-17-jdk-headless
[ -f "$(massfetch_jar direct)" ] || command -v mvn >/dev/null || need_apt maven

# MASSFETCH: another launcher to test (default scripts/massfetch).
massfetch="${MASSFETCH:-$MASSFETCH_ROOT/scripts/massfetch}"
[ -x "$massfetch" ] || die "$massfetch is missing: the launcher is needed to run the demo"

images="$work/images"
out="$work/out"
manifest="$work/manifest.txt"
origin_run="$work/origin"
mkdir -p "$work"
# An origin left over from an interrupted demo would be serving the folder about to be replaced.
"$MASSFETCH_ROOT/scripts/origin.sh" stop --run-dir "$origin_run" 2>/dev/null || true
# A fresh output every time: with the previous run's files in place massfetch would skip them all.
rm -rf "$images" "$out"

# The demo's own origin, in its own run dir, so a developer's origin is never touched.
stop_origin() { "$MASSFETCH_ROOT/scripts/origin.sh" stop --run-dir "$origin_run" || true; }
trap stop_origin EXIT

log "generating $count images into $images"
python3 "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$images" --count "$count" \
  --manifest "$manifest" --seed 42 >&2
base_url="$("$MASSFETCH_ROOT/scripts/origin.sh" start --root "$images" --run-dir "$origin_run" \
  --latency-ms "$latency_ms")"

cmd=("$massfetch" "--manifest=$manifest" "--baseUrl=$base_url" "--output=$out" "${extra[@]}")
log "running: ${cmd[*]}"
status=0
# A deadline, so a stuck job fails the demo instead of hanging it. --foreground keeps Ctrl-C
# working; the launcher execs java, so the signal reaches the JVM.
timeout --foreground -k 15 "$timeout_s" "${cmd[@]}" || status=$?
[ "$status" -ne 124 ] || die "massfetch did not finish within $timeout_s s"
[ "$status" -eq 0 ] || die "massfetch exited with status $status"

summary="$out/_results/summary.json"
[ -f "$summary" ] || die "massfetch wrote no $summary"
echo "summary.json:"
jq . "$summary"

problems=0
if ! same_files "$images" "$out" "$manifest"; then
  problems=$((problems + 1))
fi
read -r total ok failed < <(jq -r '"\(.total) \(.ok) \(.failed)"' "$summary")
if [ "$total" != "$count" ] || [ "$ok" != "$count" ] || [ "$failed" != 0 ]; then
  echo "summary says total=$total ok=$ok failed=$failed; expected total=ok=$count, failed=0"
  problems=$((problems + 1))
fi

if [ "$problems" -ne 0 ]; then
  die "demo FAILED: see above (results in $out/_results)"
fi
echo "demo OK: $count images downloaded from $base_url into $out, all byte-identical," \
  "$(jq -r '.images_per_s' "$summary") images/s"
