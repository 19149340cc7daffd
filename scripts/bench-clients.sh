#!/usr/bin/env bash
# bench-clients.sh: the benchmark that chose massfetch's HTTP client. Serves generated images with
# the local nginx origin and fetches them with Jetty 12, the JDK HttpClient and Apache HttpClient 5
# async at the same concurrency (massfetch.bench.HttpClientBench), in alternating rounds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

count=20000
concurrency=256
rounds=2
latency=0
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --latency-ms) latency="$2"; shift 2 ;;
    -h|--help)
      echo "Usage: scripts/bench-clients.sh [--count N] [--concurrency C] [--rounds R] [--latency-ms MS]"
      exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done

work="$MASSFETCH_ROOT/.run/bench-clients"
mkdir -p "$work"
if [ ! -f "$work/manifest-$count.txt" ]; then
  rm -rf "$work/images"
  python3 "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$work/images" --count "$count" \
    --manifest "$work/manifest-$count.txt" >/dev/null
fi
trap '"$MASSFETCH_ROOT/scripts/origin.sh" stop --run-dir "$work/origin" >/dev/null 2>&1 || true' EXIT
url="$("$MASSFETCH_ROOT/scripts/origin.sh" start --root "$work/images" --run-dir "$work/origin" --latency-ms "$latency")"

cd "$MASSFETCH_ROOT"
mvn -q -B -pl transforms test-compile >&2
cp_file="$work/classpath.txt"
mvn -q -B -pl transforms dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
java -cp "transforms/target/test-classes:transforms/target/classes:$(cat "$cp_file")" \
  massfetch.bench.HttpClientBench "$url" "$work/manifest-$count.txt" "$concurrency" "$rounds"
