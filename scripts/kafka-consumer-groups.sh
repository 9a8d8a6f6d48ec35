#!/usr/bin/env bash
# Runs Kafka's own consumer groups tool (org.apache.kafka.tools.consumer.group.ConsumerGroupCommand from
# the kafka-tools jar; Kafka 3.9 no longer ships kafka.admin.ConsumerGroupCommand) against the test
# broker on 127.0.0.1:19092, on the classpath scripts/services.sh resolved. Arguments pass through:
#   scripts/kafka-consumer-groups.sh --describe --group my-group
# Tests read its LAG column as ground truth for consumer backlog.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${TRACEWAY_CACHE_DIR:-$ROOT/.cache}"
KAFKA_VERSION="${TRACEWAY_KAFKA_VERSION:-3.9.2}"
LIBS="$CACHE_DIR/kafka/$KAFKA_VERSION/libs"

if [[ ! -f "$LIBS/.complete" ]]; then
  echo "kafka jars not found in $LIBS: run 'bash scripts/services.sh up kafka' first" >&2
  exit 1
fi

# Tool logging goes to stderr at WARN so stdout carries only the table.
LOG4J="$(mktemp)"
trap 'rm -f "$LOG4J"' EXIT
cat >"$LOG4J" <<'PROPS'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS

# Small heap and fast-starting JIT: this is a short-lived client, started once per test assertion.
java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
  "-Dlog4j.configuration=file:$LOG4J" -cp "$LIBS/*" \
  org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
  --bootstrap-server 127.0.0.1:19092 "$@"
