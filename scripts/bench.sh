#!/usr/bin/env bash
# bench.sh — the benchmark: massfetch against the usual tools, side by side, on one
# manifest served by a local nginx, in two regimes (no added latency; 100 ms per request); and
# massfetch's --maxInFlight=auto beside a fixed limit against an origin with a set capacity.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'EOF'
Usage: scripts/bench.sh [--quick] [options]

Generates the images, serves them with nginx (scripts/origin.sh), and runs every contender on the
same manifest, alternating (round r starts with the r-th contender), R rounds, in each regime:
  massfetch (DirectRunner; the same with its immutability/encodability checks off; embedded
  Flink, only when runners/flink/target/massfetch-flink.jar is built), the original aiohttp script (a session per image, every task at
  once; on the first 2,000 entries: it runs out of file descriptors on 20,000), a bounded aiohttp
  rewrite (one session + semaphore), curl --parallel, aria2c -i, img2dataset, and wrk (the
  server's ceiling on the same paths; it writes nothing).
Per run: wall time -> images/s and MB/s, CPU seconds of the client's process tree per 1,000
images, peak RSS of that tree; every output is verified (image count and total bytes equal the
manifest's) and wiped. Writes a Markdown table and a PNG chart (median per contender, ratio to
massfetch) to the work folder and, on a full run, into docs/benchmarks.md / docs/benchmarks.png.

Capacity scenario (does --maxInFlight=auto end near the origin's capacity with few 503s, where a
fixed high limit drowns in them?): an origin (scripts/origin.sh --capacity C --latency-ms 100) answers 503 at
once to any request above C in flight; massfetch (DirectRunner) runs the first --capacity-entries
entries with --maxInFlight=auto and with a fixed --capacity-fixed, alternating which goes first,
once per round. Reported per limit: images/s, ok/failed (summary.json), the origin's 503s and
requests during the run (its /__capacity/stats), massfetch's HTTP requests (the attempts in its
results), its average in flight and, for auto, the limit at the end. Its table goes to the work
folder's results.md and, with --docs, into its own section of docs/benchmarks.md.

Installs what it needs: curl, aria2, wrk, nginx-light + Lua (apt), and a venv with aiohttp,
img2dataset and matplotlib ($MASSFETCH_ROOT/.venv-bench, from scripts/bench/requirements.txt).

Options:
  --quick               CI smoke of the harness (a few minutes): 2,000 entries over 1,000 files,
                        1 round, wrk 3 s, capacity scenario on 1,000 entries, tables written to
                        the work folder only
  --entries N           manifest entries (default 200000)
  --files F             distinct files; entries are spread over ceil(N/F) URL prefixes, so no
                        URL or output key repeats (default 20000)
  --rounds R            rounds (default 2)
  --latency-ms MS       added latency of the second regime (default 100; 0 = one regime only)
  --concurrency C       in-flight requests with no added latency (default 256)
  --latency-concurrency C   the same with added latency (default 2048)
  --subset N            entries the original aiohttp script runs on (default 2000)
  --aria2c-entries N    entries aria2c runs on, the manifest's first N (default 20000: on all
                        200,000 one run took 27 min at 100 ms, more than the rest of a round)
  --contenders LIST     comma list (default all): massfetch-direct,massfetch-direct-checks,
                        massfetch-flink,aiohttp-original,aiohttp-bounded,curl,aria2c,
                        img2dataset,wrk
  --wrk-seconds S       wrk's duration per run (default 15)
  --run-timeout S       a run taking longer is stopped and reported (default 3600)
  --java-opts OPTS      MASSFETCH_JAVA_OPTS for massfetch runs (default -Xmx1g)
  --massfetch-arg ARG   extra massfetch option, e.g. --massfetch-arg=--localWriteThreads=16
                        (repeatable; the capacity scenario's runs get it too)
  --scenario LIST       contenders,capacity (default both): the side-by-side comparison, the
                        capacity scenario. With capacity alone, the data set defaults to
                        --capacity-entries entries. Or store, alone: see "Store scenario"
  --capacity C          the capacity scenario's origin refuses above C requests at once (default 64)
  --capacity-entries N  entries the capacity scenario fetches (default 5000; --quick: 1000)
  --capacity-fixed L    the fixed --maxInFlight set beside auto (default 1024)
  --docs | --no-docs    write docs/benchmarks.md + .png (default: yes, except with --quick)
  --work DIR            work folder (default $MASSFETCH_ROOT/.run/bench)
  --estimate            print the time estimate and exit
  --report-only         only redo results.md/benchmarks.png (and docs/ with --docs) from the
                        work folder's runs.jsonl
  -h, --help            this help

Store scenario (--scenario store; scripts/bench/store_bench.py): massfetch writes --images N images
(default 20000; --quick: 600; a few thousand for a quick before/after check) into a local folder, into S3Proxy and into fake-gcs-server, each
store behind an nginx proxy (scripts/store-proxy.sh) adding --store-latency-ms (default 30) per
request and counting requests by method, plus runs straight to each emulator (no proxy) to show
whether the emulator is the limit, and a resumed run per store with --previousResults. Reports
images/s (wall and the job's), store requests per stored image by method, CPU s per 1,000 images
of massfetch, of the store server, of the store proxy and of the origin, the share of the cores
all of them kept busy, and the uploads-in-flight limit at the end; table in
<work>/store/results.md. Options: --stores LIST (local,s3,gcs,s3-direct,gcs-direct),
--store-latency-ms MS, --formats files,tar (each run per output format), --no-resume, --images
(or --entries), --java-opts, --massfetch-arg.

Outputs in the work folder: runs.jsonl (one record per run), results.md, benchmarks.png,
logs/<contender>-lat<ms>-r<round>.{out,err}.
Note: figures are only meaningful on a quiet machine; nginx shares the machine with the client.
EOF
}

quick=0 entries=200000 files=20000 rounds=2 latency_ms=100 conc=256 lat_conc=2048 subset=2000
aria2c_entries=20000
contenders="" wrk_seconds=15 run_timeout=3600 java_opts="-Xmx1g" docs="" estimate_only=0 report_only=0
work="$MASSFETCH_ROOT/.run/bench"
massfetch_args=()
scenario="contenders,capacity" capacity=64 capacity_entries=5000 capacity_fixed=1024
store_list="" store_latency="" store_resume=1 store_formats=""
set_entries=0 set_files=0 set_rounds=0 set_wrk=0 set_timeout=0 set_capacity_entries=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --quick) quick=1; shift ;;
    --entries|--images) entries="${2:?}"; set_entries=1; shift 2 ;;
    --entries=*|--images=*) entries="${1#*=}"; set_entries=1; shift ;;
    --files) files="${2:?}"; set_files=1; shift 2 ;;
    --files=*) files="${1#*=}"; set_files=1; shift ;;
    --rounds) rounds="${2:?}"; set_rounds=1; shift 2 ;;
    --rounds=*) rounds="${1#*=}"; set_rounds=1; shift ;;
    --latency-ms) latency_ms="${2:?}"; shift 2 ;;
    --latency-ms=*) latency_ms="${1#*=}"; shift ;;
    --concurrency) conc="${2:?}"; shift 2 ;;
    --concurrency=*) conc="${1#*=}"; shift ;;
    --latency-concurrency) lat_conc="${2:?}"; shift 2 ;;
    --latency-concurrency=*) lat_conc="${1#*=}"; shift ;;
    --subset) subset="${2:?}"; shift 2 ;;
    --subset=*) subset="${1#*=}"; shift ;;
    --aria2c-entries) aria2c_entries="${2:?}"; shift 2 ;;
    --aria2c-entries=*) aria2c_entries="${1#*=}"; shift ;;
    --contenders) contenders="${2:?}"; shift 2 ;;
    --contenders=*) contenders="${1#*=}"; shift ;;
    --wrk-seconds) wrk_seconds="${2:?}"; set_wrk=1; shift 2 ;;
    --wrk-seconds=*) wrk_seconds="${1#*=}"; set_wrk=1; shift ;;
    --run-timeout) run_timeout="${2:?}"; set_timeout=1; shift 2 ;;
    --run-timeout=*) run_timeout="${1#*=}"; set_timeout=1; shift ;;
    --java-opts) java_opts="${2?}"; shift 2 ;;
    --java-opts=*) java_opts="${1#*=}"; shift ;;
    --massfetch-arg) massfetch_args+=("--massfetch-arg=${2:?}"); shift 2 ;;
    --massfetch-arg=*) massfetch_args+=("--massfetch-arg=${1#*=}"); shift ;;
    --docs) docs=1; shift ;;
    --no-docs) docs=0; shift ;;
    --work) work="${2:?}"; shift 2 ;;
    --work=*) work="${1#*=}"; shift ;;
    --estimate) estimate_only=1; shift ;;
    --report-only) report_only=1; shift ;;
    --scenario) scenario="${2:?}"; shift 2 ;;
    --scenario=*) scenario="${1#*=}"; shift ;;
    --capacity) capacity="${2:?}"; shift 2 ;;
    --capacity=*) capacity="${1#*=}"; shift ;;
    --capacity-entries) capacity_entries="${2:?}"; set_capacity_entries=1; shift 2 ;;
    --capacity-entries=*) capacity_entries="${1#*=}"; set_capacity_entries=1; shift ;;
    --capacity-fixed) capacity_fixed="${2:?}"; shift 2 ;;
    --capacity-fixed=*) capacity_fixed="${1#*=}"; shift ;;
    --stores) store_list="${2:?}"; shift 2 ;;
    --stores=*) store_list="${1#*=}"; shift ;;
    --store-latency-ms) store_latency="${2:?}"; shift 2 ;;
    --store-latency-ms=*) store_latency="${1#*=}"; shift ;;
    --formats) store_formats="${2:?}"; shift 2 ;;
    --formats=*) store_formats="${1#*=}"; shift ;;
    --no-resume) store_resume=0; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
if [ "$quick" = 1 ]; then
  # Explicit options still win over the quick defaults.
  [ "$set_entries" = 1 ] || entries=2000
  [ "$set_files" = 1 ] || files=1000
  [ "$set_rounds" = 1 ] || rounds=1
  [ "$set_wrk" = 1 ] || wrk_seconds=3
  [ "$set_timeout" = 1 ] || run_timeout=600
  [ "$set_capacity_entries" = 1 ] || capacity_entries=1000
fi
# scenario_on NAME: whether --scenario lists NAME.
scenario_on() { [[ ",$scenario," == *",$1,"* ]]; }
if scenario_on store; then
  # Its own harness (scripts/bench/store_bench.py): its own data size, servers and table.
  [ "$scenario" = store ] || die "--scenario store runs alone (not with contenders or capacity)"
  need_apt nginx-light libnginx-mod-http-lua curl python3 coreutils
  [ "$set_entries" = 1 ] || entries=20000
  [ "$quick" = 1 ] && [ "$set_entries" = 0 ] && entries=600
  store_args=(--work "$work/store" --entries "$entries" "--java-opts=$java_opts")
  for a in ${massfetch_args[@]+"${massfetch_args[@]}"}; do store_args+=("--massfetch-arg=${a#--massfetch-arg=}"); done
  [ -z "$store_list" ] || store_args+=(--stores "$store_list")
  [ -z "$store_latency" ] || store_args+=(--store-latency-ms "$store_latency")
  [ -z "$store_formats" ] || store_args+=(--formats "$store_formats")
  [ "$store_resume" = 1 ] || store_args+=(--no-resume)
  exec python3 "$MASSFETCH_ROOT/scripts/bench/store_bench.py" "${store_args[@]}"
fi
for s in ${scenario//,/ }; do
  [ "$s" = contenders ] || [ "$s" = capacity ] || [ "$s" = store ] || die "--scenario: unknown '$s' (contenders,capacity,store)"
done
if ! scenario_on contenders; then
  # The capacity scenario alone needs no more data than it fetches.
  [ "$set_entries" = 1 ] || entries="$capacity_entries"
  [ "$set_files" = 1 ] || [ "$files" -le "$entries" ] || files="$entries"
fi
# A full run documents itself; --quick and --report-only only when asked (--docs).
[ -n "$docs" ] || { [ "$report_only" = 1 ] && docs=0; } || docs=$((1 - quick))
for v in entries files rounds latency_ms conc lat_conc subset aria2c_entries wrk_seconds run_timeout capacity capacity_entries capacity_fixed; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "--${v//_/-} must be a whole number (got '${!v}')"
done
[ "$entries" -ge 1 ] && [ "$files" -ge 1 ] && [ "$rounds" -ge 1 ] && [ "$aria2c_entries" -ge 1 ] ||
  die "--entries, --files, --rounds, --aria2c-entries must be >= 1"
[ "$capacity" -ge 1 ] && [ "$capacity_entries" -ge 1 ] && [ "$capacity_fixed" -ge 1 ] ||
  die "--capacity, --capacity-entries, --capacity-fixed must be >= 1"

# ensure_bench_venv DIR REQUIREMENTS: a venv at DIR with REQUIREMENTS installed; reinstalls only
# when the requirements file changed (its hash is kept in the venv).
ensure_bench_venv() {
  local dir="$1" req="$2" want
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.requirements.sha256" 2>/dev/null)" = "$want" ] && return 0
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    need_apt python3-venv
  fi
  log "installing the benchmark's Python packages into $dir (first run only: a few minutes)"
  [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check -r "$req" >&2 ||
    die "pip could not install $req into $dir"
  echo "$want" >"$dir/.requirements.sha256"
}

bench_dir="$MASSFETCH_ROOT/scripts/bench"
venv="$MASSFETCH_ROOT/.venv-bench"
data="$work/data"
regimes=()
if scenario_on contenders; then
  regimes=(0)
  [ "$latency_ms" -gt 0 ] && regimes+=("$latency_ms")
fi
# The capacity scenario's added latency: at 100 ms, C requests at once allow C x 10 images/s.
capacity_latency_ms=100
capacity_args=()
scenario_on capacity && capacity_args=("--capacity-entries=$capacity_entries" "--capacity-fixed=$capacity_fixed")
[ -n "$contenders" ] || contenders="massfetch-direct,massfetch-direct-checks,massfetch-flink,aiohttp-original,aiohttp-bounded,curl,aria2c,img2dataset,wrk"

# make_report: results.md + benchmarks.png in the work folder from runs.jsonl and header.md, and,
# with --docs, the same tables into docs/benchmarks.md (between its markers) + docs/benchmarks.png.
make_report() {
  local args=(--runs "$work/runs.jsonl" --markdown "$work/results.md" --header "$(cat "$work/header.md")")
  "$venv/bin/python" "$bench_dir/report.py" "${args[@]}" --chart "$work/benchmarks.png" >/dev/null
  if [ "$docs" = 1 ]; then
    "$venv/bin/python" "$bench_dir/report.py" "${args[@]}" --chart "$MASSFETCH_ROOT/docs/benchmarks.png" \
      --docs "$MASSFETCH_ROOT/docs/benchmarks.md" >/dev/null
    log "tables written into docs/benchmarks.md$(scenario_on contenders && echo ", chart docs/benchmarks.png")"
  fi
  cat "$work/results.md"
}
if [ "$report_only" = 1 ]; then
  [ -s "$work/runs.jsonl" ] && [ -s "$work/header.md" ] || die "--report-only: no runs.jsonl/header.md in $work"
  [ -x "$venv/bin/python" ] || die "--report-only: no venv at $venv (run a benchmark first)"
  make_report
  exit 0
fi

# --- the estimate first: a full run takes hours on 2 cores ---------------------------------------
regime_args=()
for ms in "${regimes[@]}"; do
  c="$conc"; [ "$ms" -gt 0 ] && c="$lat_conc"
  regime_args+=("--regime=$ms=http://127.0.0.1:0=$c")
done
est="$(python3 "$bench_dir/bench.py" --estimate-only --work "$work" --data "$data" \
  "${regime_args[@]}" --contenders "$contenders" --rounds "$rounds" --wrk-seconds "$wrk_seconds" \
  --massfetch x --flink-jar x --runs /dev/null --entries "$entries" --subset-entries "$subset" \
  --aria2c-entries "$aria2c_entries" \
  ${capacity_args[@]+"${capacity_args[@]}"} ${capacity_args[@]+"--capacity-origin=$capacity=http://127.0.0.1:0"})"
# Generating the files: about 200-1,000 files/s here (once; reused while --files is the same).
gen_s=$((files / 300))
if scenario_on contenders; then
  log "plan: $entries entries over $files files, ${#regimes[@]} regime(s) (${regimes[*]} ms added), $rounds round(s), contenders $contenders"
fi
if scenario_on capacity; then
  log "plan: capacity scenario, $rounds round(s): $capacity_entries entries, origin refusing above $capacity at once with $capacity_latency_ms ms per answer, --maxInFlight=auto and $capacity_fixed"
fi
log "estimated time: about $(((est + gen_s + 59) / 60)) min (runs ~$((est / 60)) min from reference speeds on this 2-core machine, data ~$((gen_s / 60)) min; slowest: aria2c and img2dataset)"
[ "$estimate_only" = 1 ] && exit 0

# --- tools ------------------------------------------------------------------------------------------
need_apt curl aria2 wrk nginx-light libnginx-mod-http-lua python3 coreutils
ensure_bench_venv "$venv" "$bench_dir/requirements.txt"

massfetch="$MASSFETCH_ROOT/scripts/massfetch"
if [ ! -f "$(massfetch_jar direct)" ]; then
  # Built before any timing starts (the launcher builds on first use otherwise).
  log "building massfetch (DirectRunner jar)"
  "$massfetch" --help >/dev/null
fi
flink_jar="$(massfetch_jar flink)"
[ -f "$flink_jar" ] || log "embedded Flink row: not built ($flink_jar missing)"

# Every contender may open thousands of connections (the original aiohttp script one per image).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- data and origins -----------------------------------------------------------------------------
mkdir -p "$work"
work="$(cd "$work" && pwd)"
data="$work/data"
log "preparing $entries entries over $files files in $data"
python3 "$bench_dir/prepare.py" --work "$data" --entries "$entries" --files "$files" \
  --subset "$subset" >&2
# Read every file once, so that nginx serves from the page cache from the first run on.
find "$data/files" -type f -name '*.png' -exec cat {} + >/dev/null

origin="$MASSFETCH_ROOT/scripts/origin.sh"
cleanup() {
  local ms
  for ms in ${regimes[@]+"${regimes[@]}"}; do
    "$origin" stop --run-dir "$work/origin-$ms" >/dev/null 2>&1 || true
  done
  "$origin" stop --run-dir "$work/origin-capacity" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

regime_args=()
for ms in ${regimes[@]+"${regimes[@]}"}; do
  # A leftover origin of an interrupted run of ours (same run dir) is stopped by its own pid file.
  "$origin" stop --run-dir "$work/origin-$ms" >/dev/null 2>&1 || true
  url="$("$origin" start --root "$data/root" --latency-ms "$ms" --run-dir "$work/origin-$ms")"
  c="$conc"; [ "$ms" -gt 0 ] && c="$lat_conc"
  regime_args+=("--regime=$ms=$url=$c")
  # Same check as every contender makes: the first entry is served.
  curl -sf -o /dev/null "$url/$(head -n 1 "$data/manifest.txt")" || die "origin $url does not serve the manifest"
done
if scenario_on capacity; then
  "$origin" stop --run-dir "$work/origin-capacity" >/dev/null 2>&1 || true
  url="$("$origin" start --root "$data/root" --latency-ms "$capacity_latency_ms" --capacity "$capacity" \
    --run-dir "$work/origin-capacity")"
  capacity_args+=("--capacity-origin=$capacity=$url")
  curl -sf -o /dev/null "$url/$(head -n 1 "$data/manifest.txt")" || die "origin $url does not serve the manifest"
fi

# --- runs ---------------------------------------------------------------------------------------------
runs="$work/runs.jsonl"
[ -f "$runs" ] && mv -f "$runs" "$work/runs.previous.jsonl"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$SECONDS
python3 "$bench_dir/bench.py" --work "$work" --data "$data" ${regime_args[@]+"${regime_args[@]}"} \
  ${capacity_args[@]+"${capacity_args[@]}"} \
  --contenders "$contenders" --rounds "$rounds" --python "$venv/bin/python" \
  --massfetch "$massfetch" --flink-jar "$flink_jar" "--java-opts=$java_opts" \
  ${massfetch_args[@]+"${massfetch_args[@]}"} --wrk-seconds "$wrk_seconds" \
  --run-timeout "$run_timeout" --aria2c-entries "$aria2c_entries" --runs "$runs"
took=$((SECONDS - started))
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report -------------------------------------------------------------------------------------------
commit="$(git -C "$MASSFETCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
git -C "$MASSFETCH_ROOT" diff --quiet HEAD -- transforms pipeline runners 2>/dev/null || commit="$commit+local changes"
meta="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%d entries over %d files under %d URL prefixes, %.0f MB" % (d["entries"], d["files"], d["prefixes"], d["bytes"]/1e6))' "$data/dataset.json")"
mode="full run"
# Fewer entries or rounds than the defaults: say so, the table is not the full run.
if [ "$entries" -lt 200000 ] || [ "$rounds" -lt 2 ] || [ "$aria2c_entries" -lt 20000 ]; then
  mode="reduced run ($entries entries, $rounds round(s), aria2c on $aria2c_entries; the full run is 200000, 2 and 20000)"
fi
[ "$quick" = 1 ] && mode="quick run (--quick: harness smoke, figures not meaningful)"
if ! scenario_on contenders; then
  mode="capacity scenario only"; [ "$quick" = 1 ] && mode+=" (--quick)"
fi
# Kept beside runs.jsonl, so --report-only can redo the tables later with the same header.
cat >"$work/header.md" <<EOF
**${mode^}:** $meta, $rounds round(s), runs took $((took / 60)) min $((took % 60)) s.
Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1e6}' /proc/meminfo) RAM, load average $load_start at start and $load_end at end (nginx and the client share it). MASSFETCH_JAVA_OPTS=${java_opts:-none}${massfetch_args[*]:+, extra options ${massfetch_args[*]//--massfetch-arg=/}}. Page cache not dropped (see Method).
EOF
make_report
# The commit measured goes to the log and runs.jsonl's neighbour, not into the docs' tables.
echo "$commit" >"$work/commit"
log "massfetch at commit $commit; done in $((took / 60)) min $((took % 60)) s; runs in $runs, table $work/results.md$(scenario_on contenders && echo ", chart $work/benchmarks.png")"
