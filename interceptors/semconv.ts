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
export const ATTR_USER_AGENT_ORIGINAL = "user_agent.original";

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
export const METRIC_TRACEWAY_REQUEST_BODY_BYTES = "traceway.http.request.body.bytes";
export const METRIC_TRACEWAY_RESPONSE_BODY_BYTES = "traceway.http.response.body.bytes";

// ---- Kafka / messaging (owned by the kafkajs interceptors) ----------------------------------

export const ATTR_MESSAGING_SYSTEM = "messaging.system";
export const MESSAGING_SYSTEM_KAFKA = "kafka";
export const ATTR_MESSAGING_DESTINATION_NAME = "messaging.destination.name";
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = "messaging.destination.partition.id";
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = "messaging.consumer.group.name";
export const ATTR_MESSAGING_CLIENT_ID = "messaging.client.id";
export const ATTR_MESSAGING_OPERATION_TYPE = "messaging.operation.type";
export const ATTR_MESSAGING_OPERATION_NAME = "messaging.operation.name";
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = "messaging.batch.message_count";
export const ATTR_MESSAGING_MESSAGE_BODY_SIZE = "messaging.message.body.size";
export const ATTR_MESSAGING_KAFKA_OFFSET = "messaging.kafka.offset";
export const ATTR_MESSAGING_KAFKA_MESSAGE_KEY = "messaging.kafka.message.key";
export const ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE = "messaging.kafka.message.tombstone";

export const MESSAGING_OPERATION_TYPE_SEND = "send";
export const MESSAGING_OPERATION_TYPE_PROCESS = "process";
export const MESSAGING_OPERATION_TYPE_RECEIVE = "receive";

/** Which kafkajs consumer lifecycle event a `traceway.messaging.kafka.consumer.events` point counts. */
export const ATTR_TRACEWAY_KAFKA_EVENT = "traceway.kafka.event";

export const METRIC_MESSAGING_PROCESS_DURATION = "messaging.process.duration";
export const METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES = "messaging.client.consumed.messages";
export const METRIC_MESSAGING_CLIENT_SENT_MESSAGES = "messaging.client.sent.messages";
export const METRIC_TRACEWAY_MESSAGING_PROCESS_ERRORS = "traceway.messaging.process.errors";
export const METRIC_TRACEWAY_MESSAGING_E2E_DURATION = "traceway.messaging.e2e.duration";
export const METRIC_TRACEWAY_KAFKA_FETCH_LAG = "traceway.messaging.kafka.fetch.lag";
export const METRIC_TRACEWAY_KAFKA_GROUP_LAG = "traceway.messaging.kafka.consumer_group.lag";
export const METRIC_TRACEWAY_KAFKA_GROUP_LAG_SECONDS = "traceway.messaging.kafka.consumer_group.lag_seconds";
export const METRIC_TRACEWAY_KAFKA_GROUP_STATUS = "traceway.messaging.kafka.consumer_group.status";
export const METRIC_TRACEWAY_KAFKA_CONSUMER_EVENTS = "traceway.messaging.kafka.consumer.events";
export const METRIC_TRACEWAY_KAFKA_LAG_MONITOR_ERRORS = "traceway.messaging.kafka.lag_monitor.errors";
