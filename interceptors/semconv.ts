/**
 * Every attribute and metric name traceway emits lives here, so dashboards, docs and code agree.
 * Names follow the OpenTelemetry semantic conventions where one exists; traceway's own are
 * prefixed `traceway.`. Incubating semconv names are copied (not imported) on purpose, as the
 * OpenTelemetry guidelines advise, so a semconv package bump cannot rename a series.
 */

// ---- Shared by every interceptor (defined once here; do not redefine) -----------------------

export const ATTR_ERROR_TYPE = "error.type";
export const ERROR_TYPE_OTHER = "_OTHER";

// ---- HTTP (owned by the HTTP interceptors and the balancer telemetry) -----------------------
// Stable HTTP semantic conventions (v1.23+).

export const ATTR_HTTP_REQUEST_METHOD = "http.request.method";
export const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = "http.request.method_original";
export const ATTR_HTTP_REQUEST_RESEND_COUNT = "http.request.resend_count";
export const ATTR_HTTP_RESPONSE_STATUS_CODE = "http.response.status_code";
export const ATTR_HTTP_ROUTE = "http.route";
export const ATTR_SERVER_ADDRESS = "server.address";
export const ATTR_SERVER_PORT = "server.port";
export const ATTR_URL_FULL = "url.full";
export const ATTR_URL_PATH = "url.path";
export const ATTR_URL_SCHEME = "url.scheme";
export const ATTR_URL_QUERY = "url.query";
export const ATTR_USER_AGENT_ORIGINAL = "user_agent.original";
export const ATTR_CLIENT_ADDRESS = "client.address";
export const ATTR_NETWORK_PEER_ADDRESS = "network.peer.address";
export const ATTR_NETWORK_PEER_PORT = "network.peer.port";
export const ATTR_NETWORK_PROTOCOL_VERSION = "network.protocol.version";

/**
 * `error.type` of a server request whose client went away before the response was complete
 * (the public server interceptor; the balancer reports its own `TRACEWAY_ERR_CLIENT_CLOSED`).
 */
export const ERROR_TYPE_CLIENT_CLOSED = "client_closed";

/** Value of `http.request.method` for a method outside the known set (bounds cardinality). */
export const HTTP_METHOD_OTHER = "_OTHER";

export const METRIC_HTTP_SERVER_REQUEST_DURATION = "http.server.request.duration";
export const METRIC_HTTP_CLIENT_REQUEST_DURATION = "http.client.request.duration";

// ---- traceway balancer (upstreams, backends, queue) ------------------------------------------

/** Name of the configured upstream (a bounded set from the config file). */
export const ATTR_TRACEWAY_UPSTREAM = "traceway.upstream";
/** Backend as `host:port` (bounded by the configured/discovered backend set). */
export const ATTR_TRACEWAY_BACKEND = "traceway.backend";
/** Stable traceway error code (`TRACEWAY_ERR_*`) when traceway itself answered with an error. */
export const ATTR_TRACEWAY_ERROR_CODE = "traceway.error.code";
/** New health state of a backend on a transition: `up` or `down`. */
export const ATTR_TRACEWAY_BACKEND_STATE = "traceway.backend.state";

export const METRIC_TRACEWAY_UPSTREAM_IN_FLIGHT = "traceway.upstream.requests.in_flight";
export const METRIC_TRACEWAY_UPSTREAM_QUEUE_LENGTH = "traceway.upstream.queue.length";
export const METRIC_TRACEWAY_UPSTREAM_QUEUE_WAIT_DURATION = "traceway.upstream.queue.wait.duration";
export const METRIC_TRACEWAY_UPSTREAM_BACKEND_UP = "traceway.upstream.backend.up";
export const METRIC_TRACEWAY_UPSTREAM_BACKEND_EJECTIONS = "traceway.upstream.backend.ejections";
export const METRIC_TRACEWAY_UPSTREAM_BACKEND_TRANSITIONS = "traceway.upstream.backend.transitions";
export const METRIC_TRACEWAY_UPSTREAM_RETRIES = "traceway.upstream.retries";
export const METRIC_TRACEWAY_REQUESTS_REFUSED = "traceway.requests.refused";
// Bytes counters carry the unit (`By`), not the word `bytes`: Prometheus adds `_bytes` itself.
export const METRIC_TRACEWAY_REQUEST_BODY_BYTES = "traceway.http.request.body";
export const METRIC_TRACEWAY_RESPONSE_BODY_BYTES = "traceway.http.response.body";

// ---- traceway discovery (src/telemetry/discovery-metrics.ts; docs/discovery.md) -------------

/** Where an upstream's backend set came from: `static`, `etcd` or `cache`. */
export const ATTR_TRACEWAY_DISCOVERY_SOURCE = "traceway.discovery.source";
export const METRIC_TRACEWAY_DISCOVERY_BACKENDS = "traceway.discovery.backends";
export const METRIC_TRACEWAY_DISCOVERY_UPDATES = "traceway.discovery.updates";
export const METRIC_TRACEWAY_DISCOVERY_ERRORS = "traceway.discovery.errors";
export const METRIC_TRACEWAY_DISCOVERY_MALFORMED_VALUES = "traceway.discovery.malformed_values";
export const METRIC_TRACEWAY_DISCOVERY_SYNC_AGE = "traceway.discovery.sync.age";
export const METRIC_TRACEWAY_DISCOVERY_STALE = "traceway.discovery.stale";

// ---- traceway admin API and canaries -------------------------------------------------------

/** What an admin API call changed: `backend.patch`, `backend.reset`, `canary.pause`, … (bounded). */
export const ATTR_TRACEWAY_ADMIN_ACTION = "traceway.admin.action";
/** The phase a canary moved to: `progressing`, `paused`, `awaiting_promotion`, `promoted`, `rolled_back`, `halted`. */
export const ATTR_TRACEWAY_CANARY_PHASE = "traceway.canary.phase";
/** An analysis' verdict: `pass`, `fail`, `no_data`. */
export const ATTR_TRACEWAY_CANARY_VERDICT = "traceway.canary.verdict";

export const METRIC_TRACEWAY_ADMIN_CHANGES = "traceway.admin.changes";
export const METRIC_TRACEWAY_CANARY_TRANSITIONS = "traceway.canary.transitions";
export const METRIC_TRACEWAY_CANARY_ANALYSES = "traceway.canary.analyses";

// ---- Kafka / messaging (owned by the kafkajs interceptors) ----------------------------------
// Messaging semconv as published in `@opentelemetry/semantic-conventions` 1.45 (incubating):
// `messaging.system` became `messaging.system.name` and the Kafka-specific `messaging.kafka.*`
// attributes became `kafka.*` ("Conventions" in docs/kafka.md lists every instrument and span).

export const ATTR_MESSAGING_SYSTEM_NAME = "messaging.system.name";
export const MESSAGING_SYSTEM_KAFKA = "kafka";
export const ATTR_MESSAGING_DESTINATION_NAME = "messaging.destination.name";
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = "messaging.destination.partition.id";
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = "messaging.consumer.group.name";
export const ATTR_MESSAGING_CLIENT_ID = "messaging.client.id";
export const ATTR_MESSAGING_OPERATION_TYPE = "messaging.operation.type";
export const ATTR_MESSAGING_OPERATION_NAME = "messaging.operation.name";
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = "messaging.batch.message_count";
export const ATTR_MESSAGING_MESSAGE_BODY_SIZE = "messaging.message.body.size";
export const ATTR_KAFKA_OFFSET = "kafka.offset";
export const ATTR_KAFKA_MESSAGE_KEY = "kafka.message.key";
export const ATTR_KAFKA_MESSAGE_TOMBSTONE = "kafka.message.tombstone";

export const MESSAGING_OPERATION_TYPE_CREATE = "create";
export const MESSAGING_OPERATION_TYPE_SEND = "send";
export const MESSAGING_OPERATION_TYPE_PROCESS = "process";
export const MESSAGING_OPERATION_TYPE_RECEIVE = "receive";
/** `messaging.operation.name` of kafkajs' fetch loop (a `receive`), as the Java Kafka client calls it. */
export const MESSAGING_OPERATION_NAME_POLL = "poll";

export const METRIC_MESSAGING_CLIENT_OPERATION_DURATION = "messaging.client.operation.duration";
export const METRIC_MESSAGING_PROCESS_DURATION = "messaging.process.duration";
export const METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES = "messaging.client.consumed.messages";
export const METRIC_MESSAGING_CLIENT_SENT_MESSAGES = "messaging.client.sent.messages";

/** Which kafkajs consumer lifecycle event a `traceway.messaging.kafka.consumer.events` point counts. */
export const ATTR_TRACEWAY_KAFKA_EVENT = "traceway.kafka.event";
/** The Burrow-like status a `traceway.messaging.kafka.consumer_group.status` series stands for. */
export const ATTR_TRACEWAY_KAFKA_LAG_STATUS = "traceway.kafka.lag.status";

export const METRIC_TRACEWAY_MESSAGING_PROCESS_ERRORS = "traceway.messaging.process.errors";
export const METRIC_TRACEWAY_MESSAGING_E2E_DURATION = "traceway.messaging.e2e.duration";
export const METRIC_TRACEWAY_KAFKA_FETCH_LAG = "traceway.messaging.kafka.fetch.lag";
export const METRIC_TRACEWAY_KAFKA_GROUP_LAG = "traceway.messaging.kafka.consumer_group.lag";
export const METRIC_TRACEWAY_KAFKA_GROUP_TIME_LAG = "traceway.messaging.kafka.consumer_group.time_lag";
export const METRIC_TRACEWAY_KAFKA_GROUP_STATUS = "traceway.messaging.kafka.consumer_group.status";
export const METRIC_TRACEWAY_KAFKA_CONSUMER_EVENTS = "traceway.messaging.kafka.consumer.events";
export const METRIC_TRACEWAY_KAFKA_LAG_MONITOR_ERRORS = "traceway.messaging.kafka.lag_monitor.errors";
export const METRIC_TRACEWAY_KAFKA_LAG_MONITOR_POLL_AGE = "traceway.messaging.kafka.lag_monitor.poll_age";

// ---- Kafka bridge (src/kafka/bridge: Kafka messages dispatched to upstreams) ----------------

/** Name of the configured bridge (a bounded set from the config file). */
export const ATTR_TRACEWAY_KAFKA_BRIDGE = "traceway.kafka.bridge";
/** Every dispatch of a message through the balancer, retries included. */
export const METRIC_TRACEWAY_KAFKA_BRIDGE_DISPATCHED = "traceway.messaging.kafka.bridge.dispatched";
/** Messages the service accepted (2xx). */
export const METRIC_TRACEWAY_KAFKA_BRIDGE_SUCCEEDED = "traceway.messaging.kafka.bridge.succeeded";
/** Dispatches that failed and are tried again, by `error.type`. */
export const METRIC_TRACEWAY_KAFKA_BRIDGE_RETRIED = "traceway.messaging.kafka.bridge.retried";
/** Messages written to the dead-letter topic, by `error.type` of their last failure. */
export const METRIC_TRACEWAY_KAFKA_BRIDGE_DEAD_LETTERED = "traceway.messaging.kafka.bridge.dead_lettered";
/** One dispatch: from handing the request to the upstream to the end of its response. */
export const METRIC_TRACEWAY_KAFKA_BRIDGE_DISPATCH_DURATION =
  "traceway.messaging.kafka.bridge.dispatch.duration";
/** Messages taken from Kafka and not yet done (running, waiting for their key, backing off). */
export const METRIC_TRACEWAY_KAFKA_BRIDGE_IN_FLIGHT = "traceway.messaging.kafka.bridge.in_flight";
/** 1 while fetching from the partition is paused (upstream unavailable, partition stopped, shutdown). */
export const METRIC_TRACEWAY_KAFKA_BRIDGE_PARTITION_PAUSED =
  "traceway.messaging.kafka.bridge.partition.paused";
/** 1 when a message failed its last try with no dead-letter topic: the partition stopped. Alert on it. */
export const METRIC_TRACEWAY_KAFKA_BRIDGE_PARTITION_STOPPED =
  "traceway.messaging.kafka.bridge.partition.stopped";

// ---- The allow-list of traceway's own names ------------------------------------------------

/** A `traceway.*` name: emitted only because no semantic convention covers what it measures. */
export interface CustomName {
  readonly name: string;
  readonly kind: "metric" | "attribute";
  /** Why no semconv name fits. */
  readonly reason: string;
}

/**
 * Every `traceway.*` metric and attribute name the interceptors and the balancer may emit, with
 * the reason it exists. The conformance tests fail on any `traceway.*` name missing here.
 */
export const CUSTOM_NAMES: readonly CustomName[] = [
  // Balancer (src/telemetry): load-balancer concepts the HTTP semconv has no words for.
  {
    name: ATTR_TRACEWAY_UPSTREAM,
    kind: "attribute",
    reason: "configured upstream (backend pool) name; semconv has no load-balancer pool",
  },
  {
    name: ATTR_TRACEWAY_BACKEND,
    kind: "attribute",
    reason: "backend host:port inside an upstream; server.address is the client-facing authority",
  },
  {
    name: ATTR_TRACEWAY_ERROR_CODE,
    kind: "attribute",
    reason: "traceway's stable TRACEWAY_ERR_* code when the balancer itself answered",
  },
  {
    name: ATTR_TRACEWAY_BACKEND_STATE,
    kind: "attribute",
    reason: "health transition direction (up/down); no semconv health state",
  },
  {
    name: METRIC_TRACEWAY_UPSTREAM_IN_FLIGHT,
    kind: "metric",
    reason: "in-flight requests per backend; http.client.active_requests has no upstream/backend",
  },
  {
    name: METRIC_TRACEWAY_UPSTREAM_QUEUE_LENGTH,
    kind: "metric",
    reason: "balancer connection-queue backlog; no semconv queue metric",
  },
  {
    name: METRIC_TRACEWAY_UPSTREAM_QUEUE_WAIT_DURATION,
    kind: "metric",
    reason: "time queued before an upstream attempt; no semconv equivalent",
  },
  {
    name: METRIC_TRACEWAY_UPSTREAM_BACKEND_UP,
    kind: "metric",
    reason:
      "backend in rotation (1) or not (0), as nginx/HAProxy status pages show; a count of backends up ({backend})",
  },
  {
    name: METRIC_TRACEWAY_UPSTREAM_BACKEND_EJECTIONS,
    kind: "metric",
    reason: "passive-health ejections (Envoy's outlier_detection.ejections_total)",
  },
  {
    name: METRIC_TRACEWAY_UPSTREAM_BACKEND_TRANSITIONS,
    kind: "metric",
    reason: "health state changes per backend",
  },
  {
    name: METRIC_TRACEWAY_UPSTREAM_RETRIES,
    kind: "metric",
    reason: "retried upstream attempts (Envoy's upstream_rq_retry)",
  },
  {
    name: METRIC_TRACEWAY_REQUESTS_REFUSED,
    kind: "metric",
    reason: "requests the balancer refused before any upstream attempt",
  },
  {
    name: METRIC_TRACEWAY_REQUEST_BODY_BYTES,
    kind: "metric",
    reason: "bytes per upstream/backend; http.*.body.size is per request and unlabelled by backend",
  },
  {
    name: METRIC_TRACEWAY_RESPONSE_BODY_BYTES,
    kind: "metric",
    reason: "bytes per upstream/backend; http.*.body.size is per request and unlabelled by backend",
  },
  // Discovery (src/telemetry/discovery-metrics.ts).
  {
    name: ATTR_TRACEWAY_DISCOVERY_SOURCE,
    kind: "attribute",
    reason:
      "where an upstream's backend set came from (static, etcd, cache); semconv has no service discovery",
  },
  {
    name: METRIC_TRACEWAY_DISCOVERY_BACKENDS,
    kind: "metric",
    reason: "backends each discovery source gives an upstream",
  },
  {
    name: METRIC_TRACEWAY_DISCOVERY_UPDATES,
    kind: "metric",
    reason: "backend sets applied to a pool by discovery",
  },
  {
    name: METRIC_TRACEWAY_DISCOVERY_ERRORS,
    kind: "metric",
    reason: "failed discovery lists and watches, by error.type",
  },
  {
    name: METRIC_TRACEWAY_DISCOVERY_MALFORMED_VALUES,
    kind: "metric",
    reason: "registrations skipped because their value could not be read",
  },
  {
    name: METRIC_TRACEWAY_DISCOVERY_SYNC_AGE,
    kind: "metric",
    reason: "time since the discovery source last answered (staleness of the backend set)",
  },
  {
    name: METRIC_TRACEWAY_DISCOVERY_STALE,
    kind: "metric",
    reason:
      "1 while the last known set is served because the source is unreachable; a count of sources ({source})",
  },
  // Kafka (interceptors/kafka).
  {
    name: ATTR_TRACEWAY_KAFKA_EVENT,
    kind: "attribute",
    reason: "which kafkajs lifecycle event was counted; semconv has no client lifecycle events",
  },
  {
    name: ATTR_TRACEWAY_KAFKA_LAG_STATUS,
    kind: "attribute",
    reason:
      "Burrow-like partition status (OK/WARN/STALL/STOP), one series per status as kube-state-metrics does",
  },
  {
    name: METRIC_TRACEWAY_MESSAGING_PROCESS_ERRORS,
    kind: "metric",
    reason:
      "handler failures, also counted when @opentelemetry/instrumentation-kafkajs owns messaging.process.duration",
  },
  {
    name: METRIC_TRACEWAY_MESSAGING_E2E_DURATION,
    kind: "metric",
    reason: "produce-to-processed latency from the message timestamp; semconv has none",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_FETCH_LAG,
    kind: "metric",
    reason: "consumer lag at fetch time; semconv defines no lag metric",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_GROUP_LAG,
    kind: "metric",
    reason:
      "committed-offset lag per group and partition (kafka-consumer-groups LAG); semconv defines no lag metric",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_GROUP_TIME_LAG,
    kind: "metric",
    reason: "age of the oldest unconsumed message (kafka-lag-exporter's time lag)",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_GROUP_STATUS,
    kind: "metric",
    reason: "Burrow-like partition status for alerting",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_CONSUMER_EVENTS,
    kind: "metric",
    reason: "kafkajs lifecycle events (rebalances, crashes, commits)",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_LAG_MONITOR_ERRORS,
    kind: "metric",
    reason: "failed polls of the lag monitor itself",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_LAG_MONITOR_POLL_AGE,
    kind: "metric",
    reason: "age of the lag monitor's last good poll: its gauges freeze when it fails or hangs",
  },
  // Kafka bridge (src/kafka/bridge): semconv has no consume-and-forward pipeline.
  {
    name: ATTR_TRACEWAY_KAFKA_BRIDGE,
    kind: "attribute",
    reason: "configured bridge name; several bridges may read one topic",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_BRIDGE_DISPATCHED,
    kind: "metric",
    reason: "messages handed to an upstream, retries included; http.client.* counts attempts per backend",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_BRIDGE_SUCCEEDED,
    kind: "metric",
    reason: "messages a service accepted: the bridge's unit of work, not an HTTP attempt",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_BRIDGE_RETRIED,
    kind: "metric",
    reason: "message-level retries with backoff (uForwarder's retry queue); not backend retries",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_BRIDGE_DEAD_LETTERED,
    kind: "metric",
    reason: "messages sent to a dead-letter topic; semconv has no DLQ",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_BRIDGE_DISPATCH_DURATION,
    kind: "metric",
    reason:
      "one dispatch through an upstream, backend retries and body included; messaging.process.duration is the hand-over",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_BRIDGE_IN_FLIGHT,
    kind: "metric",
    reason: "messages taken from Kafka and not yet done: the bridge's backlog",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_BRIDGE_PARTITION_PAUSED,
    kind: "metric",
    reason: "fetch paused by back-pressure; semconv has no consumer pause state",
  },
  {
    name: METRIC_TRACEWAY_KAFKA_BRIDGE_PARTITION_STOPPED,
    kind: "metric",
    reason: "a partition held by a message that failed for good without a dead-letter topic, for alerting",
  },
];
