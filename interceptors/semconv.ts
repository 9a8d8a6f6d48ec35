/**
 * Every attribute and metric name traceway emits lives here, so dashboards, docs and code agree.
 * Names follow the OpenTelemetry semantic conventions where one exists; traceway's own are
 * prefixed `traceway.`. Incubating semconv names are copied (not imported) on purpose, as the
 * OpenTelemetry guidelines advise, so a semconv package bump cannot rename a series.
 */

// ---- Shared by every interceptor (defined once here; do not redefine) -----------------------

export const ATTR_ERROR_TYPE = "error.type";
export const ERROR_TYPE_OTHER = "_OTHER";

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
