#!/usr/bin/env bash
# storage-emulators.sh — real object-storage API servers on 127.0.0.1 for tests and demos:
# fake-gcs-server (GCS JSON API, built with `go install`) and S3Proxy (S3 API, from Maven Central),
# both keeping their objects on disk so a stop/start keeps what was stored.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

FAKE_GCS_VERSION="v1.56.1"
S3PROXY_VERSION="4.1.0"
# S3Proxy 4.1.0 uses Jackson 3, whose databind needs jackson-annotations 2.22 (older ones lack
# JsonSerializeAs); Maven would otherwise pick the 2.20 an older dependency asks for.
S3PROXY_JACKSON_ANNOTATIONS="2.22"
S3_ACCESS_KEY="massfetch"
S3_SECRET_KEY="massfetch-secret"
DEFAULT_BUCKET="massfetch-test"

usage() {
  cat <<'EOF'
Usage: scripts/storage-emulators.sh COMMAND [gcs|s3|all]   (default: all)

Commands:
  install   install the servers if missing: fake-gcs-server with `go install` into the tools dir,
            S3Proxy and its jars with Maven into the tools dir. Idempotent.
  start     install, then start (idempotent: a running server is left alone). The first start
            picks a free port and records it; later starts reuse it, so clients survive a restart.
            Creates the bucket "massfetch-test" in each store.
  stop      stop the server whose pid the run dir recorded (and only that one). Data is kept.
  status    one line per server: "gcs running pid=... endpoint=..." or "gcs stopped".
  env       print shell exports for clients and tests, e.g. eval "$(scripts/storage-emulators.sh env)":
              MASSFETCH_TEST_GCS_ENDPOINT, MASSFETCH_TEST_S3_ENDPOINT, MASSFETCH_TEST_BUCKET,
              MASSFETCH_TEST_STORAGE_CTL (this script, for tests that stop and restart a store),
              AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION
  clean     stop, then delete the server's objects, log and recorded port.

Environment:
  MASSFETCH_STORAGE_RUN   run dir: pids, ports, logs, objects (default $MASSFETCH_ROOT/.run/storage)
  MASSFETCH_TOOLS         tools dir (default ~/.cache/massfetch/tools)

Endpoints: GCS http://127.0.0.1:PORT (no credentials; pass it as --gcsEndpoint), S3
http://127.0.0.1:PORT (access key massfetch / secret massfetch-secret, region us-east-1, path-style).
EOF
}

run_dir="${MASSFETCH_STORAGE_RUN:-$MASSFETCH_ROOT/.run/storage}"
tools="${MASSFETCH_TOOLS:-$HOME/.cache/massfetch/tools}"
fake_gcs_bin="$tools/fake-gcs-server-$FAKE_GCS_VERSION/fake-gcs-server"
s3proxy_dir="$tools/s3proxy-$S3PROXY_VERSION"

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

print_env() {
  [ -s "$run_dir/gcs.port" ] && echo "export MASSFETCH_TEST_GCS_ENDPOINT=http://127.0.0.1:$(cat "$run_dir/gcs.port")"
  [ -s "$run_dir/s3.port" ] && echo "export MASSFETCH_TEST_S3_ENDPOINT=http://127.0.0.1:$(cat "$run_dir/s3.port")"
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
  all) servers=(gcs s3) ;;
  *) usage >&2; exit 2 ;;
esac

case "$cmd" in
  -h|--help|help) usage ;;
  install) for s in "${servers[@]}"; do "install_$s"; done ;;
  start) for s in "${servers[@]}"; do "start_$s"; done ;;
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
