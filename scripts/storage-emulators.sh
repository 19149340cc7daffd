#!/usr/bin/env bash
# storage-emulators.sh — real object-storage API servers on 127.0.0.1 for tests and demos:
# fake-gcs-server (GCS JSON API, built with `go install`) and S3Proxy (S3 API, from Maven Central),
# both keeping their objects on disk so a stop/start keeps what was stored; and, so the store code
# is proven against more than one server per API, moto server (S3, in memory) and
# gcp-storage-emulator (GCS, on disk), both from PyPI in a pinned venv.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

FAKE_GCS_VERSION="v1.56.1"
S3PROXY_VERSION="4.1.0"
# S3Proxy 4.1.0 uses Jackson 3, whose databind needs jackson-annotations 2.22 (older ones lack
# JsonSerializeAs); Maven would otherwise pick the 2.20 an older dependency asks for.
S3PROXY_JACKSON_ANNOTATIONS="2.22"
# moto server and gcp-storage-emulator share one venv; their versions are pinned here.
MOTO_VERSION="5.2.5"
GCP_STORAGE_EMULATOR_VERSION="2026.7.19"
S3_ACCESS_KEY="massfetch"
S3_SECRET_KEY="massfetch-secret"
DEFAULT_BUCKET="massfetch-test"

usage() {
  cat <<'EOF'
Usage: scripts/storage-emulators.sh COMMAND [gcs|s3|moto|gcsemu|all|every]   (default: all)

Servers: gcs = fake-gcs-server, s3 = S3Proxy (the two the examples use; "all" is these two),
moto = moto server (S3), gcsemu = gcp-storage-emulator (GCS); "every" is all four, started in
parallel.

Commands:
  install   install the servers if missing: fake-gcs-server with `go install` into the tools dir,
            S3Proxy and its jars with Maven into the tools dir, moto server and
            gcp-storage-emulator with pip into a venv in the tools dir. Idempotent.
  start     install, then start (idempotent: a running server is left alone). The first start
            picks a free port and records it; later starts reuse it, so clients survive a restart.
            Creates the bucket "massfetch-test" in each store.
  stop      stop the server whose pid the run dir recorded (and only that one). Data is kept.
  status    one line per server: "gcs running pid=... endpoint=..." or "gcs stopped".
  env       print shell exports for clients and tests, e.g. eval "$(scripts/storage-emulators.sh env)":
              MASSFETCH_TEST_GCS_ENDPOINT, MASSFETCH_TEST_S3_ENDPOINT, MASSFETCH_TEST_BUCKET,
              MASSFETCH_TEST_GCS_SERVERS / MASSFETCH_TEST_S3_SERVERS (every started server of
              that API as name=endpoint, comma-separated: the store tests run against each),
              MASSFETCH_TEST_STORAGE_CTL (this script, for tests that stop and restart a store),
              AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION
  clean     stop, then delete the server's objects, log and recorded port.

Environment:
  MASSFETCH_STORAGE_RUN   run dir: pids, ports, logs, objects (default $MASSFETCH_ROOT/.run/storage)
  MASSFETCH_TOOLS         tools dir (default ~/.cache/massfetch/tools)

Endpoints: GCS http://127.0.0.1:PORT (no credentials; pass it as --gcsEndpoint), S3
http://127.0.0.1:PORT (access key massfetch / secret massfetch-secret, region us-east-1, path-style;
moto takes any key). moto keeps objects in memory: a stop loses them (the bucket is made again).
EOF
}

run_dir="${MASSFETCH_STORAGE_RUN:-$MASSFETCH_ROOT/.run/storage}"
tools="${MASSFETCH_TOOLS:-$HOME/.cache/massfetch/tools}"
fake_gcs_bin="$tools/fake-gcs-server-$FAKE_GCS_VERSION/fake-gcs-server"
s3proxy_dir="$tools/s3proxy-$S3PROXY_VERSION"
py_venv="$tools/storage-py-moto$MOTO_VERSION-gse$GCP_STORAGE_EMULATOR_VERSION"

install_gcs() {
  [ -x "$fake_gcs_bin" ] && return 0
  command -v go >/dev/null || die "Go is needed to build fake-gcs-server (https://go.dev/doc/install)"
  log "installing fake-gcs-server $FAKE_GCS_VERSION (go install; a minute or two the first time)"
  mkdir -p "$(dirname "$fake_gcs_bin")"
  GOBIN="$(dirname "$fake_gcs_bin")" GOFLAGS=-buildvcs=false \
    go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION" >&2
}

install_s3() {
  [ -f "$s3proxy_dir/lib/s3proxy-$S3PROXY_VERSION.jar" ] && return 0
  command -v mvn >/dev/null || die "Maven is needed to fetch S3Proxy: apt-get install maven"
  command -v java >/dev/null || die "Java 17+ is needed to run S3Proxy"
  log "installing S3Proxy $S3PROXY_VERSION (Maven; a minute the first time)"
  mkdir -p "$s3proxy_dir"
  cat >"$s3proxy_dir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>massfetch.tools</groupId>
  <artifactId>s3proxy-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.fasterxml.jackson.core</groupId>
        <artifactId>jackson-annotations</artifactId>
        <version>$S3PROXY_JACKSON_ANNOTATIONS</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>org.gaul</groupId>
      <artifactId>s3proxy</artifactId>
      <version>$S3PROXY_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  rm -rf "$s3proxy_dir/lib.tmp"
  (cd "$s3proxy_dir" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory=lib.tmp) >&2 || die "could not fetch S3Proxy with Maven"
  rm -rf "${s3proxy_dir:?}/lib"
  mv "$s3proxy_dir/lib.tmp" "$s3proxy_dir/lib"
}

install_py() {
  [ -f "$py_venv/.installed" ] && return 0
  command -v python3 >/dev/null || die "Python 3 is needed for moto server and gcp-storage-emulator"
  log "installing moto[server] $MOTO_VERSION and gcp-storage-emulator $GCP_STORAGE_EMULATOR_VERSION (pip, venv)"
  # Built in place (a venv's scripts name their interpreter by absolute path); the marker file
  # tells a finished install from an interrupted one.
  rm -rf "$py_venv"
  python3 -m venv "$py_venv" >&2 || die "python3 -m venv failed (apt-get install python3-venv)"
  "$py_venv/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" \
    "gcp-storage-emulator==$GCP_STORAGE_EMULATOR_VERSION" >&2 \
    || die "could not install moto server / gcp-storage-emulator with pip"
  touch "$py_venv/.installed"
}
install_moto() { install_py; }
install_gcsemu() { install_py; }

# port_of NAME: the recorded port, picking and recording a free one the first time.
port_of() {
  local f="$run_dir/$1.port"
  if [ ! -s "$f" ]; then
    mkdir -p "$run_dir"
    free_port >"$f"
  fi
  cat "$f"
}

running() {
  local f="$run_dir/$1.pid"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

# wait_port PORT SECONDS: waits until something accepts connections on 127.0.0.1:PORT.
wait_port() {
  local deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.2
  done
}

start_gcs() {
  install_gcs
  if running gcs; then return 0; fi
  local port; port="$(port_of gcs)"
  mkdir -p "$run_dir/gcs-data" "$run_dir/logs"
  # -backend filesystem keeps objects across a restart; -external-url makes upload session URLs
  # point back here (Beam's file system uses resumable uploads).
  nohup "$fake_gcs_bin" -scheme http -host 127.0.0.1 -port "$port" \
    -backend filesystem -filesystem-root "$run_dir/gcs-data" \
    -external-url "http://127.0.0.1:$port" -public-host "127.0.0.1:$port" \
    -log-level warn >>"$run_dir/logs/gcs.log" 2>&1 </dev/null &
  echo $! >"$run_dir/gcs.pid"
  wait_port "$port" 30 || { tail -n 20 "$run_dir/logs/gcs.log" >&2; die "fake-gcs-server did not start"; }
  # Bucket creation is idempotent here: 409 when it already exists.
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data "{\"name\":\"$DEFAULT_BUCKET\"}" \
    "http://127.0.0.1:$port/storage/v1/b?project=massfetch-local" || true
  log "fake-gcs-server on http://127.0.0.1:$port (pid $(cat "$run_dir/gcs.pid"))"
}

# S3Proxy logs every request at DEBUG without a config of its own.
write_s3proxy_logback() {
  [ -f "$s3proxy_dir/logback.xml" ] && return 0
  cat >"$s3proxy_dir/logback.xml" <<'EOF'
<configuration>
  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="STDERR"/></root>
</configuration>
EOF
}

start_s3() {
  install_s3
  write_s3proxy_logback
  if running s3; then return 0; fi
  local port; port="$(port_of s3)"
  mkdir -p "$run_dir/s3-data" "$run_dir/logs"
  cat >"$run_dir/s3proxy.conf" <<EOF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem
jclouds.identity=$S3_ACCESS_KEY
jclouds.credential=$S3_SECRET_KEY
jclouds.filesystem.basedir=$run_dir/s3-data
EOF
  nohup java -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlogback.configurationFile="$s3proxy_dir/logback.xml" \
    -cp "$s3proxy_dir/lib/*" org.gaul.s3proxy.Main --properties "$run_dir/s3proxy.conf" \
    >>"$run_dir/logs/s3.log" 2>&1 </dev/null &
  echo $! >"$run_dir/s3.pid"
  wait_port "$port" 60 || { tail -n 20 "$run_dir/logs/s3.log" >&2; die "S3Proxy did not start"; }
  # The filesystem provider stores a bucket as a folder: making it is bucket creation.
  mkdir -p "$run_dir/s3-data/$DEFAULT_BUCKET"
  log "S3Proxy on http://127.0.0.1:$port (pid $(cat "$run_dir/s3.pid"))"
}

start_moto() {
  install_moto
  if running moto; then return 0; fi
  local port; port="$(port_of moto)"
  mkdir -p "$run_dir/logs"
  nohup "$py_venv/bin/moto_server" -H 127.0.0.1 -p "$port" \
    >>"$run_dir/logs/moto.log" 2>&1 </dev/null &
  echo $! >"$run_dir/moto.pid"
  wait_port "$port" 60 || { tail -n 20 "$run_dir/logs/moto.log" >&2; die "moto server did not start"; }
  # moto keeps buckets in memory: make the bucket on every start (it takes any signed request).
  curl -s -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
    -X PUT "http://127.0.0.1:$port/$DEFAULT_BUCKET" || true
  log "moto server on http://127.0.0.1:$port (pid $(cat "$run_dir/moto.pid"))"
}

start_gcsemu() {
  install_gcsemu
  if running gcsemu; then return 0; fi
  local port; port="$(port_of gcsemu)"
  mkdir -p "$run_dir/gcsemu-data" "$run_dir/logs"
  # Through a wrapper that writes the emulator's metadata file atomically: stopped in the middle of
  # rewriting it, the emulator would leave it empty and never start again.
  nohup "$py_venv/bin/python" "$MASSFETCH_ROOT/scripts/lib/gcsemu-durable.py" -d "$run_dir/gcsemu-data" start -H 127.0.0.1 \
    --port "$port" --default-bucket "$DEFAULT_BUCKET" -q \
    >>"$run_dir/logs/gcsemu.log" 2>&1 </dev/null &
  echo $! >"$run_dir/gcsemu.pid"
  wait_port "$port" 60 || { tail -n 20 "$run_dir/logs/gcsemu.log" >&2; die "gcp-storage-emulator did not start"; }
  log "gcp-storage-emulator on http://127.0.0.1:$port (pid $(cat "$run_dir/gcsemu.pid"))"
}

# start_parallel SERVER...: installs and starts each server in its own subshell; fails if any did.
start_parallel() {
  local pids=() s rc=0
  for s in "$@"; do
    ( "start_$s" ) &
    pids+=($!)
  done
  for s in "${pids[@]}"; do wait "$s" || rc=1; done
  return $rc
}

stop_one() {
  stop_pidfile "$run_dir/$1.pid"
}

status_one() {
  if running "$1"; then
    echo "$1 running pid=$(cat "$run_dir/$1.pid") endpoint=http://127.0.0.1:$(cat "$run_dir/$1.port")"
  else
    echo "$1 stopped"
  fi
}

# servers_of API NAME...: "name=endpoint,..." of the named servers that are running.
servers_of() {
  local out="" s
  for s in "$@"; do
    if running "$s"; then
      out="${out:+$out,}$(server_name "$s")=http://127.0.0.1:$(cat "$run_dir/$s.port")"
    fi
  done
  echo "$out"
}
server_name() {
  case "$1" in
    gcs) echo fake-gcs-server ;; s3) echo s3proxy ;; moto) echo moto ;; gcsemu) echo gcp-storage-emulator ;;
  esac
}

print_env() {
  [ -s "$run_dir/gcs.port" ] && echo "export MASSFETCH_TEST_GCS_ENDPOINT=http://127.0.0.1:$(cat "$run_dir/gcs.port")"
  [ -s "$run_dir/s3.port" ] && echo "export MASSFETCH_TEST_S3_ENDPOINT=http://127.0.0.1:$(cat "$run_dir/s3.port")"
  [ -s "$run_dir/moto.port" ] && echo "export MASSFETCH_TEST_MOTO_ENDPOINT=http://127.0.0.1:$(cat "$run_dir/moto.port")"
  [ -s "$run_dir/gcsemu.port" ] && echo "export MASSFETCH_TEST_GCSEMU_ENDPOINT=http://127.0.0.1:$(cat "$run_dir/gcsemu.port")"
  echo "export MASSFETCH_TEST_GCS_SERVERS=$(servers_of gcs gcsemu)"
  echo "export MASSFETCH_TEST_S3_SERVERS=$(servers_of s3 moto)"
  echo "export MASSFETCH_TEST_PYTHON=$py_venv/bin/python"
  cat <<EOF
export MASSFETCH_TEST_BUCKET=$DEFAULT_BUCKET
export MASSFETCH_TEST_STORAGE_CTL=$MASSFETCH_ROOT/scripts/storage-emulators.sh
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
export AWS_REGION=us-east-1
EOF
}

cmd="${1:-}"
which="${2:-all}"
case "$which" in
  gcs) servers=(gcs) ;;
  s3) servers=(s3) ;;
  moto) servers=(moto) ;;
  gcsemu) servers=(gcsemu) ;;
  all) servers=(gcs s3) ;;
  every) servers=(gcs s3 moto gcsemu) ;;
  *) usage >&2; exit 2 ;;
esac

case "$cmd" in
  -h|--help|help) usage ;;
  install) for s in "${servers[@]}"; do "install_$s"; done ;;
  start)
    if [ ${#servers[@]} -gt 1 ]; then
      # Installs first, one at a time (pip and Maven each print their own progress), then starts
      # in parallel: S3Proxy's JVM and the Python servers take seconds each to come up.
      for s in "${servers[@]}"; do "install_$s"; done
      start_parallel "${servers[@]}"
    else
      "start_${servers[0]}"
    fi
    ;;
  stop) for s in "${servers[@]}"; do stop_one "$s"; done ;;
  status) for s in "${servers[@]}"; do status_one "$s"; done ;;
  env) print_env ;;
  clean)
    for s in "${servers[@]}"; do
      stop_one "$s"
      rm -rf "${run_dir:?}/$s-data" "$run_dir/$s.port" "$run_dir/logs/$s.log"
    done
    ;;
  *) usage >&2; exit 2 ;;
esac
