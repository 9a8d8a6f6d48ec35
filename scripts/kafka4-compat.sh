#!/usr/bin/env bash
# Checks kafkajs (node_modules) against a real Kafka 4.x broker: resolves the broker from Maven Central
# once into .cache/kafka/<version>/libs, starts a throwaway single-node KRaft broker on 127.0.0.1:29092
# (controller 29093) from a scratch folder under .services/kafka4/, runs scripts/kafka4-compat-probe.ts,
# runs Kafka's own ConsumerGroupCommand on the probe's groups, and always stops that broker and deletes
# the scratch folder. The broker log (.services/kafka4/kafka4.log) and its request log (requests.log,
# one line per request with API key and version) are kept for a post-mortem.
#
# Usage: bash scripts/kafka4-compat.sh
#   TRACEWAY_KAFKA4_VERSION  Kafka release (default below: newest 4.x that resolves and runs on Java 17)
#   TRACEWAY_KAFKA4_JAVA     java binary for the broker and tools (default: java on PATH)
# Exit status: 0 when every probe operation passed, 1 otherwise (the failed step is named).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES_DIR="${TRACEWAY_SERVICES_DIR:-$ROOT/.services}"
CACHE_DIR="${TRACEWAY_CACHE_DIR:-$ROOT/.cache}"

# shellcheck source=lib/common.sh
source "$ROOT/scripts/lib/common.sh"
# shellcheck source=lib/kafka.sh
source "$ROOT/scripts/lib/kafka.sh"

K4_VERSION="${TRACEWAY_KAFKA4_VERSION:-4.4.0}"
K4_JAVA="${TRACEWAY_KAFKA4_JAVA:-java}"
K4_PORT=29092
K4_CONTROLLER_PORT=29093
K4_READY_SECONDS=90
K4_STOP_SECONDS=30
K4_PROBE_SECONDS=240
K4_TOOL_SECONDS=60
K4_LIBS="$CACHE_DIR/kafka/$K4_VERSION/libs"
K4_DIR="$SERVICES_DIR/kafka4"
K4_LOG="$K4_DIR/kafka4.log"
K4_REQUEST_LOG="$K4_DIR/requests.log"
K4_SCRATCH="$K4_DIR/scratch"
# Part of the broker's command line (its config path), so live_pid never mistakes another Kafka for ours.
K4_MARKER="$K4_SCRATCH/server.properties"
NODE="$ROOT/node_modules/.bin/node"

RUN_ID="$(date +%s)-$$"
TOPIC="traceway-kafka4-$RUN_ID"
GROUP="traceway-kafka4-$RUN_ID"
STARTED=$SECONDS

step() { log "kafka4: $* (+$((SECONDS - STARTED)) s)"; }

# Runs a command with a deadline; `timeout` exits 124 when the deadline passed.
# Usage: bounded <seconds> <command...>
bounded() {
  local seconds="$1"
  shift
  timeout --kill-after=10 "$seconds" "$@"
}

cleanup() {
  local code=$?
  # Only the pid this run recorded is stopped (stop_service checks it is still our broker).
  if [[ -f "$(pid_file kafka4)" ]]; then
    stop_service kafka4 "$K4_MARKER" "$K4_STOP_SECONDS"
  fi
  rm -rf "$K4_SCRATCH"
  log "kafka4: scratch folder removed; finished in $((SECONDS - STARTED)) s (exit $code)"
  exit "$code"
}

java_major() {
  "$K4_JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1
}

# Copies broker, tools and the log4j2 binding into .cache once; the .complete marker means later runs
# never touch the network (as scripts/lib/kafka.sh does for 3.9).
k4_resolve() {
  if [[ -f "$K4_LIBS/.complete" ]]; then
    step "jars cached in $K4_LIBS"
    return 0
  fi
  command -v mvn >/dev/null || fail kafka4 resolve "mvn not found (Maven is needed once to fetch Kafka jars)"
  step "resolving org.apache.kafka:kafka_2.13 and kafka-tools $K4_VERSION with Maven (first run only)"
  local tmp="$K4_LIBS.tmp.$$"
  rm -rf "$tmp"
  bounded 600 mvn -B -q -Dstyle.color=never -f "$ROOT/scripts/kafka/pom.xml" \
    -Dkafka.version="$K4_VERSION" -Dkafka.logging=log4j2 \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
    >>"$K4_LOG" 2>&1 || {
    rm -rf "$tmp"
    fail kafka4 resolve "mvn dependency:copy-dependencies for Kafka $K4_VERSION failed (or took over 600 s)"
  }
  ls "$tmp"/kafka_2.13-"$K4_VERSION".jar >/dev/null 2>&1 ||
    fail kafka4 resolve "kafka_2.13-$K4_VERSION.jar missing from the resolved folder $tmp"
  rm -rf "$K4_LIBS"
  mv "$tmp" "$K4_LIBS"
  touch "$K4_LIBS/.complete"
  step "resolved $(find "$K4_LIBS" -name '*.jar' | wc -l) jars ($(du -sh "$K4_LIBS" | cut -f1))"
}

k4_write_config() {
  mkdir -p "$K4_SCRATCH/data"
  {
    kafka_kraft_properties "$K4_PORT" "$K4_CONTROLLER_PORT" "$K4_SCRATCH/data"
    cat <<PROPS
auto.create.topics.enable=false
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
num.network.threads=2
num.io.threads=2
PROPS
  } >"$K4_SCRATCH/server.properties"
  # Broker log to stdout (kafka4.log); every request with its API key and version to requests.log.
  cat >"$K4_SCRATCH/log4j2.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
    <File name="requests" fileName="$K4_REQUEST_LOG" append="false">
      <PatternLayout pattern="[%d] %m%n"/>
    </File>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="stdout"/></Root>
    <Logger name="kafka.request.logger" level="DEBUG" additivity="false"><AppenderRef ref="requests"/></Logger>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="kafka.log.LogCleaner" level="WARN"/>
  </Loggers>
</Configuration>
XML
  # Tools: warnings to stderr only, so stdout carries the table.
  cat >"$K4_SCRATCH/log4j2-tools.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="stderr" target="SYSTEM_ERR"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console>
  </Appenders>
  <Loggers><Root level="WARN"><AppenderRef ref="stderr"/></Root></Loggers>
</Configuration>
XML
}

# The JVM command line for the broker and the tools. Tools are short-lived clients: C1 only.
# Usage: k4_jvm <log4j2 config> <heap> [more JVM flags...]   (sets K4_JVM)
k4_jvm() {
  K4_JVM=("$K4_JAVA" "-Xmx$2" -Xms64m -XX:+UseSerialGC -Djava.awt.headless=true "${@:3}"
    "-Dlog4j2.configurationFile=file:$1" -cp "$K4_LIBS/*")
}

# The storage tool moved from Scala (kafka.tools.StorageTool) to Java in some 4.x lines; use what the jars have.
k4_storage_tool() {
  local jar
  for jar in "$K4_LIBS"/kafka_2.13-"$K4_VERSION".jar "$K4_LIBS"/kafka-storage-"$K4_VERSION".jar "$K4_LIBS"/kafka-tools-"$K4_VERSION".jar; do
    [[ -f "$jar" ]] || continue
    if unzip -l "$jar" 2>/dev/null | grep -q ' kafka/tools/StorageTool.class$'; then
      echo kafka.tools.StorageTool && return 0
    fi
    if unzip -l "$jar" 2>/dev/null | grep -q ' org/apache/kafka/tools/StorageTool.class$'; then
      echo org.apache.kafka.tools.StorageTool && return 0
    fi
  done
  echo kafka.tools.StorageTool
}

k4_format() {
  local cluster_id tool
  # 16 random bytes in unpadded URL-safe base64, the form `kafka-storage random-uuid` prints.
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  tool="$(k4_storage_tool)"
  step "formatting $K4_SCRATCH/data with $tool (cluster id $cluster_id)"
  k4_jvm "$K4_SCRATCH/log4j2-tools.xml" 256m -XX:TieredStopAtLevel=1
  bounded 60 "${K4_JVM[@]}" "$tool" format -t "$cluster_id" -c "$K4_SCRATCH/server.properties" \
    >>"$K4_LOG" 2>&1 || fail kafka4 format "$tool format failed"
}

k4_started() {
  port_open "$K4_PORT" && grep -q 'Kafka Server started' "$K4_LOG"
}

k4_start() {
  step "starting kafka.Kafka $K4_VERSION on 127.0.0.1:$K4_PORT (controller $K4_CONTROLLER_PORT)"
  k4_jvm "$K4_SCRATCH/log4j2.xml" 384m
  start_detached kafka4 "${K4_JVM[@]}" kafka.Kafka "$K4_MARKER"
  local pid
  pid="$(cat "$(pid_file kafka4)")"
  # Ready: the broker logged "Kafka Server started" and accepts connections. Deliberately no kafkajs
  # check here, so a kafkajs incompatibility shows up as a probe failure, not as "not ready".
  wait_ready kafka4 "$pid" "$K4_READY_SECONDS" "wait for 'Kafka Server started'" k4_started
  step "broker ready (pid $pid)"
}

# Prints which API versions the probe's requests used, from the broker's request log.
k4_request_summary() {
  [[ -s "$K4_REQUEST_LOG" ]] || return 0
  echo
  echo "== Requests from kafkajs seen by the broker (request log, clientId traceway-kafka4-*) =="
  grep -o '"requestApiKey":[0-9]*,"requestApiVersion":[0-9]*,"correlationId":[0-9]*,"clientId":"traceway-kafka4[^"]*"' \
    "$K4_REQUEST_LOG" |
    sed 's/"requestApiKey":\([0-9]*\),"requestApiVersion":\([0-9]*\).*/\1 \2/' |
    sort -n -k1,1 -k2,2 | uniq -c | awk '{ printf "  api key %-3s version %-3s requests %s\n", $2, $3, $1 }' || true
  echo
  echo "== Broker log lines about rejected requests or versions =="
  grep -E -i 'unsupported ?version|not enabled|InvalidRequestException|UNSUPPORTED_VERSION|Error parsing request' \
    "$K4_LOG" | tail -n 20 || echo "  (none)"
}

main() {
  mkdir -p "$K4_DIR" "$CACHE_DIR"
  # One run at a time: a second run would fight over the ports and the scratch folder.
  exec 9>"$K4_DIR/lock"
  flock -n 9 || {
    echo "[services] FAILED: kafka4: lock: another scripts/kafka4-compat.sh holds $K4_DIR/lock" >&2
    exit 1
  }
  : >"$K4_LOG"
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  [[ -x "$NODE" && -d "$ROOT/node_modules/kafkajs" ]] || fail kafka4 setup "run npm ci first ($NODE or kafkajs missing)" nolog
  command -v "$K4_JAVA" >/dev/null || fail kafka4 setup "java not found ($K4_JAVA)" nolog
  local major
  major="$(java_major)"
  step "Kafka $K4_VERSION, Java $major ($("$K4_JAVA" -version 2>&1 | head -n 1)), kafkajs $(
    sed -n 's/.*"version": "\(.*\)".*/\1/p' "$ROOT/node_modules/kafkajs/package.json"
  )"
  [[ "$major" =~ ^[0-9]+$ ]] || fail kafka4 setup "could not read the Java version of $K4_JAVA" nolog
  ((major >= 17)) || fail kafka4 setup "Kafka 4 brokers need Java 17 or newer, $K4_JAVA is Java $major" nolog

  k4_resolve
  rm -rf "$K4_SCRATCH"
  require_free_port kafka4 "$K4_PORT" "$K4_MARKER"
  require_free_port kafka4 "$K4_CONTROLLER_PORT" "$K4_MARKER"
  k4_write_config
  k4_format
  k4_start
  if grep -q 'UnsupportedClassVersionError' "$K4_LOG"; then
    fail kafka4 start "the broker needs a newer Java than $major (UnsupportedClassVersionError)"
  fi

  local probe_status=0 delete_status=0 tool_status=0
  step "probe: kafkajs operations against 127.0.0.1:$K4_PORT"
  bounded "$K4_PROBE_SECONDS" "$NODE" "$ROOT/scripts/kafka4-compat-probe.ts" --broker "127.0.0.1:$K4_PORT" \
    --topic "$TOPIC" --group "$GROUP" --phase main || probe_status=$?

  # Before the topic is deleted, so the groups still have committed offsets to show. One call per
  # group: Kafka 4's tool aborts the whole --describe when one of several groups is unknown.
  k4_jvm "$K4_SCRATCH/log4j2-tools.xml" 256m -XX:TieredStopAtLevel=1
  local g
  for g in "$GROUP" "$GROUP-batch"; do
    step "ConsumerGroupCommand --describe --group $g"
    echo
    echo "== org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server 127.0.0.1:$K4_PORT --describe --group $g =="
    bounded "$K4_TOOL_SECONDS" "${K4_JVM[@]}" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
      --bootstrap-server "127.0.0.1:$K4_PORT" --describe --group "$g" || tool_status=$?
    echo
  done

  step "probe: deleteTopics"
  bounded 60 "$NODE" "$ROOT/scripts/kafka4-compat-probe.ts" --broker "127.0.0.1:$K4_PORT" \
    --topic "$TOPIC" --group "$GROUP" --phase delete || delete_status=$?

  k4_request_summary

  if ((probe_status != 0 || delete_status != 0)); then
    fail kafka4 probe "kafkajs probe failed (main phase exit $probe_status, delete phase exit $delete_status; 124 = deadline)"
  fi
  ((tool_status == 0)) || fail kafka4 consumer-groups "ConsumerGroupCommand exited with status $tool_status"
  step "all kafkajs operations passed against Kafka $K4_VERSION"
}

main "$@"
