# shellcheck shell=bash
# Kafka 3.9 single node in KRaft mode (broker and controller in one JVM), resolved from Maven Central.
# Sourced by scripts/services.sh.

KAFKA_VERSION="${TRACEWAY_KAFKA_VERSION:-3.9.2}"
# Ports may be moved (npm run stack runs a second, private broker; docs/stack.md).
KAFKA_PORT="${TRACEWAY_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${TRACEWAY_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_LIBS="$CACHE_DIR/kafka/$KAFKA_VERSION/libs"
KAFKA_MARKER="kafka.Kafka"
KAFKA_READY_SECONDS=90

# Copies the broker, its tools and a logging binding into .cache once; later runs never touch the
# network because the finished folder carries a marker file.
kafka_resolve() {
  [[ -f "$KAFKA_LIBS/.complete" ]] && return 0
  # Like etcd and Prometheus, installed from Debian when missing (npm run stack on a fresh machine).
  ensure_debian kafka "java mvn" default-jdk-headless maven
  command -v mvn >/dev/null || fail kafka resolve "mvn not found (Maven is needed once to fetch Kafka jars)"
  command -v java >/dev/null || fail kafka resolve "java not found"
  log "kafka: resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION with Maven (first run only)"
  local tmp="$KAFKA_LIBS.tmp.$$"
  rm -rf "$tmp"
  mvn -B -q -Dstyle.color=never -f "$ROOT/scripts/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
    >>"$SERVICES_DIR/kafka/kafka.log" 2>&1 || fail kafka resolve "mvn dependency:copy-dependencies failed"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  touch "$KAFKA_LIBS/.complete"
}

# The single-node KRaft settings every broker here runs with (broker and controller in one JVM on
# loopback, one replica of everything); callers append their own lines.
# Usage: kafka_kraft_properties <port> <controller port> <data dir>
kafka_kraft_properties() {
  cat <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$2
listeners=PLAINTEXT://127.0.0.1:$1,CONTROLLER://127.0.0.1:$2
advertised.listeners=PLAINTEXT://127.0.0.1:$1
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$3
num.partitions=3
default.replication.factor=1
offsets.topic.replication.factor=1
# Fewer offsets partitions than the default 50 makes the first consumer group join much faster.
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
}

kafka_write_config() {
  local dir="$SERVICES_DIR/kafka"
  {
    kafka_kraft_properties "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$dir/data"
    echo "auto.create.topics.enable=true"
    echo "log.retention.hours=24"
  } >"$dir/server.properties"
  cat >"$dir/log4j.properties" <<'PROPS'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
PROPS
}

# The JVM command line shared by the broker and its tools (logging goes to stdout, i.e. kafka.log).
kafka_jvm() {
  KAFKA_JVM=(java -Xmx512m -Xms128m -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$SERVICES_DIR/kafka/log4j.properties" -cp "$KAFKA_LIBS/*")
}

kafka_java() {
  kafka_jvm
  "${KAFKA_JVM[@]}" "$@"
}

# Formats the KRaft metadata log once; an existing meta.properties means the folder is ours already.
kafka_format() {
  local dir="$SERVICES_DIR/kafka"
  [[ -f "$dir/data/meta.properties" ]] && return 0
  # A cluster id is 16 random bytes in unpadded URL-safe base64, as StorageTool random-uuid prints.
  local cluster_id
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
    >>"$dir/kafka.log" 2>&1 || fail kafka format "StorageTool format failed"
}

# Ready means a real client can fetch metadata, not merely that the port accepts connections.
kafka_ready() {
  port_open "$KAFKA_PORT" || return 1
  if [[ -x "$ROOT/node_modules/.bin/node" && -d "$ROOT/node_modules/kafkajs" ]]; then
    "$ROOT/node_modules/.bin/node" "$ROOT/scripts/kafka-ready.ts" "127.0.0.1:$KAFKA_PORT"
  fi
}

kafka_start() {
  kafka_write_config
  kafka_format
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)"
  kafka_jvm
  start_detached kafka "${KAFKA_JVM[@]}" "$KAFKA_MARKER" "$SERVICES_DIR/kafka/server.properties"
}

kafka_up() {
  mkdir -p "$SERVICES_DIR/kafka"
  # Resolved even when a broker runs already: scripts/kafka-consumer-groups.sh needs the jars.
  kafka_resolve
  service_up kafka "$KAFKA_MARKER" "$KAFKA_READY_SECONDS" "wait for metadata" kafka_ready kafka_start \
    "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
}

kafka_down() { stop_service kafka "$KAFKA_MARKER" 30; }
kafka_status() { print_status kafka "$KAFKA_MARKER" "$KAFKA_PORT"; }
