#!/usr/bin/env bash
# 45-shards.sh — --outputFormat=tar end to end, against a real nginx origin (scripts/origin.sh) and
# the object-store servers of scripts/storage-emulators.sh:
#   (a) a local tar run: shards cut at --shardMaxImages, one result per entry;
#   (b) the published shards read by `tar -tf`, Python's tarfile and webdataset (from PyPI, in a venv
#       under the tools cache): every ok image in exactly one published shard, byte-exact;
#   (c) one image read back by one range request: scripts/massfetch-get, and curl -r on the shard
#       served by nginx (its access log shows the single request);
#   (d) a second run resumes from the shards' indexes: no request for a stored image;
#   (e) the shard stores' JUnit test against S3Proxy, moto, fake-gcs-server and gcp-storage-emulator;
#   (f) tar runs into s3:// (S3Proxy, moto) and gs:// (fake-gcs-server, gcp-storage-emulator), each
#       image then read back with massfetch-get.
# Run by scripts/test.sh, or alone: scripts/suites/45-shards.sh [--help]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh"
suite_help "$@" <<'EOF'
Usage: scripts/suites/45-shards.sh

Tests --outputFormat=tar of scripts/massfetch and scripts/massfetch-get against nginx (on a free
127.0.0.1 port) and the storage emulators. Work files go to $MASSFETCH_ROOT/.run/shards.
Environment:
  SHARDS_COUNT       images (default 300)
  SHARDS_KEEP=1      keep the work files afterwards (default: removed when every check passed)
  MASSFETCH_TOOLS    tools dir for the webdataset venv (default ~/.cache/massfetch/tools)
Prints PASS:/FAIL: lines and closes with "45-shards: N passed, N failed".
EOF

need_apt python3 python3-venv curl jq tar nginx-light libnginx-mod-http-lua

WEBDATASET_VERSION="1.0.2"
count="${SHARDS_COUNT:-300}"
per_shard=100
work="$MASSFETCH_ROOT/.run/shards"
get="$MASSFETCH_ROOT/scripts/massfetch-get"
tools="${MASSFETCH_TOOLS:-$HOME/.cache/massfetch/tools}"
venv="$tools/shards-py-webdataset$WEBDATASET_VERSION"
export MASSFETCH_STORAGE_RUN="$work/emulators"
export AWS_EC2_METADATA_DISABLED=true

cleanup() {
  "$origin" stop --run-dir "$work/origin" >/dev/null 2>&1 || true
  "$origin" stop --run-dir "$work/shard-server" >/dev/null 2>&1 || true
  "$emu" stop every >/dev/null 2>&1 || true
  if [ "${SHARDS_KEEP:-0}" != 1 ] && [ "$SUITE_FAILED" -eq 0 ]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT

"$origin" stop --run-dir "$work/origin" >/dev/null 2>&1 || true
"$origin" stop --run-dir "$work/shard-server" >/dev/null 2>&1 || true
"$emu" stop every >/dev/null 2>&1 || true
rm -rf "$work"
mkdir -p "$work/logs"

if [ ! -f "$venv/.installed" ]; then
  log "installing webdataset $WEBDATASET_VERSION (pip, venv)"
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check "webdataset==$WEBDATASET_VERSION" >&2
  touch "$venv/.installed"
fi

log "generating $count images"
python3 "$MASSFETCH_ROOT/scripts/gen-images.py" --out "$work/images" --count "$count" \
  --manifest "$work/good.txt" --seed 45 >&2
manifest="$work/manifest.txt"
{ cat "$work/good.txt"; echo "fault/404/a.png"; echo "../etc/passwd"; } >"$manifest"
entries=$((count + 2))
base_url="$("$origin" start --root "$work/images" --run-dir "$work/origin" --access-log)"
access_log="$work/origin/access.log"

summary_is() { [ -f "$1/summary.json" ] && jq -e "$2" "$1/summary.json" >/dev/null; }
published_tars() { cat "$1"/shards/*.index.jsonl | jq -r .shard | sort -u; }

# (a) a local tar run
out="$work/out"
run_massfetch a "--manifest=$manifest" "--baseUrl=$base_url" "--output=$out" --outputFormat=tar \
  "--shardMaxImages=$per_shard"
check "(a) tar run exits 0" [ "$rc" -eq 0 ]
check "(a) total=$entries, ok=$count, failed=2" \
  summary_is "$out/_results" ".total == $entries and .ok == $count and .failed == 2"
check "(a) no per-image files, only shards/ and _results/" \
  [ "$(find "$out" -mindepth 1 -maxdepth 1 | sort | xargs -n1 basename | tr '\n' ' ')" = "_results shards " ]
shards="$(published_tars "$out" | wc -l)"
check "(a) at least $((count / per_shard)) published shards, none over $per_shard images ($shards)" \
  [ "$shards" -ge $((count / per_shard)) -a "$(for f in "$out"/shards/*.index.jsonl; do wc -l <"$f"; done | sort -n | tail -n 1)" -le "$per_shard" ]
check "(a) no temp file left in shards/" [ -z "$(find "$out/shards" -name '.massfetch-tmp-*')" ]

# (b) three readers
check "(b) tar -tf lists exactly the $count ok keys over the published shards" \
  cmp -s <(published_tars "$out" | while read -r t; do tar -tf "$out/shards/$t"; done | sort) \
         <(records "$out/_results" | jq -r 'select(.status == "ok") | .key' | sort)
check "(b) Python tarfile: every ok image in one published shard, at its offset, byte-exact" \
  python3 "$py_dir/check_shards.py" --reader tarfile --out "$out" --results "$out/_results" --images "$work/images"
check "(b) webdataset $WEBDATASET_VERSION yields every ok image once, byte-exact" \
  "$venv/bin/python" "$py_dir/check_shards.py" --reader webdataset --out "$out" --results "$out/_results" --images "$work/images"

# (c) one image, one range request
key="$(sed -n 7p "$work/good.txt")"
check "(c) massfetch-get saves $key byte-exact" \
  sh -c '"$1" "$2" --from="$3" --save="$4" && cmp -s "$4" "$5"' _ "$get" "$key" "$out" "$work/got.png" "$work/images/$key"
rc=0; "$get" no/such.png --from="$out" >/dev/null 2>"$work/logs/get-missing.err" || rc=$?
check "(c) massfetch-get of a key in no index: exit 1, one line" [ "$rc" -eq 1 -a "$(grep -c . "$work/logs/get-missing.err")" -eq 1 ]
shard_url="$("$origin" start --root "$out" --run-dir "$work/shard-server" --access-log)"
entry="$(records "$out/_results" | jq -c --arg k "$key" 'select(.key == $k)')"
from="$(jq -r .offset <<<"$entry")"; to=$((from + $(jq -r .bytes <<<"$entry") - 1))
curl -s -r "$from-$to" -o "$work/curl.png" "$shard_url/$(jq -r .shard <<<"$entry")"
check "(c) curl -r $from-$to on the shard gives $key byte-exact, in one request" \
  sh -c 'cmp -s "$1" "$2" && [ "$(grep -c " 206 " "$3")" -eq 1 ]' _ "$work/curl.png" "$work/images/$key" "$work/shard-server/access.log"

# (d) resume from the indexes
mark="$(wc -l <"$access_log")"
run_massfetch d "--manifest=$manifest" "--baseUrl=$base_url" "--output=$out" --outputFormat=tar \
  "--results=$out/_results-d"
check "(d) second tar run exits 0" [ "$rc" -eq 0 ]
check "(d) nginx was asked only for the failed URL, none of the $count stored images" \
  cmp -s <(tail -n "+$((mark + 1))" "$access_log" | grep -oE '"GET [^ ]+' | sed 's/^"GET //' | sort -u) <(echo /fault/404/a.png)
check "(d) the $count stored entries are skipped, total = ok + skipped + failed" \
  summary_is "$out/_results-d" ".total == $entries and .skipped == $count and .ok + .skipped + .failed == .total"
check "(d) no new shard published" [ "$(published_tars "$out" | wc -l)" -eq "$shards" ]

# (e) the shard stores against every emulator
"$emu" start every >&2
eval "$("$emu" env)"
report="$MASSFETCH_ROOT/transforms/target/surefire-reports/TEST-massfetch.sink.ShardStoresTest.xml"
rm -f "$report"
mvn_rc=0
(cd "$MASSFETCH_ROOT" && mvn -B -ntp -pl transforms -am test -Dtest=ShardStoresTest \
  -Dsurefire.failIfNoSpecifiedTests=false) >"$work/logs/mvn-shard-stores.log" 2>&1 || mvn_rc=$?
check "(e) ShardStoresTest passes against S3Proxy, moto, fake-gcs-server, gcp-storage-emulator (8 tests, none skipped)" \
  sh -c '[ "$1" -eq 0 ] && grep -q "tests=\"8\" errors=\"0\" skipped=\"0\" failures=\"0\"" "$2"' _ "$mvn_rc" "$report"

# (f) tar runs into each object store, read back by key
small="$work/small.txt"
head -n 40 "$work/good.txt" >"$small"
key="$(sed -n 3p "$small")"
for server in s3proxy moto fake-gcs-server gcp-storage-emulator; do
  case "$server" in
    s3proxy) store=(--s3Endpoint="$MASSFETCH_TEST_S3_ENDPOINT" --s3PathStyle=true); scheme=s3 ;;
    moto) store=(--s3Endpoint="$MASSFETCH_TEST_MOTO_ENDPOINT" --s3PathStyle=true); scheme=s3 ;;
    fake-gcs-server) store=(--gcsEndpoint="$MASSFETCH_TEST_GCS_ENDPOINT"); scheme=gs ;;
    gcp-storage-emulator) store=(--gcsEndpoint="$MASSFETCH_TEST_GCSEMU_ENDPOINT"); scheme=gs ;;
  esac
  dest="$scheme://$MASSFETCH_TEST_BUCKET/shards-suite-$server-$$"
  run_massfetch "f-$server" "--manifest=$small" "--baseUrl=$base_url" "--output=$dest" \
    "--results=$work/results-$server" --outputFormat=tar --shardMaxImages=16 "${store[@]}"
  check "(f) $server: tar run exits 0, 40 ok, every record names its shard" \
    sh -c '[ "$1" -eq 0 ] && [ "$(cat "$2"/results-*.jsonl | jq -r "select(.status == \"ok\" and .shard != null) | .key" | wc -l)" -eq 40 ]' \
    _ "$rc" "$work/results-$server"
  rm -f "$work/got-$server.png"
  "$get" "$key" --from="$dest" --save="$work/got-$server.png" "${store[@]}" 2>"$work/logs/get-$server.err" || true
  check "(f) $server: massfetch-get reads $key back byte-exact" cmp -s "$work/got-$server.png" "$work/images/$key"
done

suite_end
