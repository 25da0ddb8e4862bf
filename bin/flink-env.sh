# Shared by bin/flink-cluster and bin/flink: where the assembled Flink lives and the cluster's state.
# Not executable on its own.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLINK_HOME="$ROOT/cluster/target/flink"              # lib/ and plugins/, assembled by Maven
STATE="${JANUS_FLINK_STATE:-$ROOT/.flink}"            # conf/, log/, run/ (pids), tmp/: outside target/, so mvn clean keeps the PIDs
CONF="$STATE/conf"
REST_PORT="${JANUS_FLINK_REST_PORT:-8081}"
mapfile -t JVM_OPTS < <(grep -v '^#' "$ROOT/jobs/conf/jvm.options")

ensure_lib() {
  if [[ ! -d "$FLINK_HOME/lib" || ! -d "$FLINK_HOME/plugins/prometheus" ]]; then
    echo "flink: assembling Flink lib/ and plugins/ from Maven Central module jars (once)..." >&2
    (cd "$ROOT" && mvn -q -B -f cluster/pom.xml generate-resources) >&2
  fi
}

# GET http://127.0.0.1:$REST_PORT$1 without curl (only bash is assumed); prints the body.
rest_get() {
  local body
  body=$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" "$2" >&3
    cat <&3' _ "$REST_PORT" "$1" 2>/dev/null) || return 1
  printf '%s' "${body#*$'\r\n\r\n'}"
}
