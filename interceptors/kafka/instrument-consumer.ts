import type {
  Consumer,
  ConsumerRunConfig,
  ConsumerSubscribeTopic,
  ConsumerSubscribeTopics,
  TopicPartitionOffsetAndMetadata,
} from "kafkajs";
import { IdentityCell } from "./client-identity.ts";
import {
  COMMIT_OFFSETS_FAILED_EVENT,
  countConsumerEvent,
  listenToConsumerEvents,
} from "./consumer-events.ts";
import type { ConsumerRecorder } from "./consumer-recorder.ts";
import { wrapEachBatch } from "./each-batch.ts";
import { wrapEachMessage } from "./each-message.ts";
import { FetchLag } from "./fetch-lag.ts";
import { createKafkaTelemetry, guard } from "./kafka-telemetry.ts";
import { isTracewayInstrumented, TRACEWAY_KAFKA_INSTRUMENTED } from "./instrumented-mark.ts";
import { isInstrumentedByOtelKafkajs } from "./otel-kafkajs-detect.ts";
import { PartitionTelemetryCache } from "./partition-telemetry.ts";
import { PollDuration, Subscriptions } from "./poll-duration.ts";
import type { KafkaConsumerInstrumentationOptions } from "./types.ts";

function wrapRunConfig(recorder: ConsumerRecorder, config: ConsumerRunConfig | undefined): ConsumerRunConfig {
  const wrapped: ConsumerRunConfig = { ...config };
  if (config?.eachMessage !== undefined) wrapped.eachMessage = wrapEachMessage(recorder, config.eachMessage);
  if (config?.eachBatch !== undefined) wrapped.eachBatch = wrapEachBatch(recorder, config.eachBatch);
  return wrapped;
}

/**
 * Returns a consumer that records traces and metrics for every message its `eachMessage` or
 * `eachBatch` handler processes, plus lifecycle events and fetch-time lag. The kafkajs module is
 * not patched and `consumer` itself is not modified: use the returned object for `run` (all
 * other methods are the original consumer's).
 *
 * If `@opentelemetry/instrumentation-kafkajs` already instrumented `consumer`, traceway leaves
 * spans and the semconv `messaging.*` metrics to it (see `deferToOtelInstrumentation`).
 *
 * @example
 * ```ts
 * const consumer = instrumentConsumer(kafka.consumer({ groupId: "billing" }), { groupId: "billing" });
 * await consumer.run({ eachMessage: async ({ message }) => handle(message) });
 * ```
 */
export function instrumentConsumer<C extends Consumer>(
  consumer: C,
  options: KafkaConsumerInstrumentationOptions = {},
): C {
  if (isTracewayInstrumented(consumer)) return consumer;
  const defer = (options.deferToOtelInstrumentation ?? true) && isInstrumentedByOtelKafkajs(consumer, "run");
  const telemetry = createKafkaTelemetry(options, defer);
  const identity = new IdentityCell(options.groupId);
  const partitionLabel = options.partitionLabel ?? true;
  const fetchLag = new FetchLag(telemetry.meter, () => identity.current.groupId);
  const recorder: ConsumerRecorder = {
    telemetry,
    partitionLabel,
    identity,
    fetchLag,
    partitions: new PartitionTelemetryCache({
      telemetry,
      fetchLag,
      partitionLabel,
      identity: () => identity.current,
    }),
  };
  const subscriptions = new Subscriptions();
  const poll = new PollDuration(telemetry, identity, subscriptions);
  guard("consumer event listeners", () => listenToConsumerEvents(consumer, recorder, poll));

  const wrapped = Object.create(consumer) as C;
  Object.defineProperties(wrapped, {
    [TRACEWAY_KAFKA_INSTRUMENTED]: { value: true },
    run: {
      value: (config?: ConsumerRunConfig): Promise<void> => consumer.run(wrapRunConfig(recorder, config)),
    },
    subscribe: {
      // Only to learn the topics a poll covers; kafkajs does the subscribing.
      value: (subscription: ConsumerSubscribeTopic | ConsumerSubscribeTopics): Promise<void> => {
        guard("subscription", () => subscriptions.add(subscription));
        return consumer.subscribe(subscription);
      },
    },
    commitOffsets: {
      // kafkajs emits consumer.commit_offsets only on success; a failed manual commit is only
      // visible here.
      value: async (offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> => {
        try {
          await consumer.commitOffsets(offsets);
        } catch (error) {
          guard("commit failure", () => countConsumerEvent(recorder, COMMIT_OFFSETS_FAILED_EVENT, { error }));
          throw error;
        }
      },
    },
  });
  return wrapped;
}
