import { randomUUID } from "node:crypto";
import { context, trace } from "@opentelemetry/api";
import type { MetricData } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { Kafka, logLevel } from "kafkajs";
import type { Consumer } from "kafkajs";
import {
  createLagMonitor,
  instrumentConsumer,
  instrumentProducer,
} from "../../../interceptors/kafka/index.ts";
import { INSTRUMENTATION_SCOPE } from "../../../interceptors/kafka/kafka-telemetry.ts";
import { ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import {
  createTestTelemetry,
  enableContextManager,
} from "../../unit/interceptors/kafka/telemetry-fixture.ts";

/** Everything the kafkajs interceptors produced in {@link runScenario}. */
export interface ScenarioTelemetry {
  readonly metrics: readonly MetricData[];
  readonly spans: readonly ReadableSpan[];
  readonly topics: { readonly single: string; readonly batched: string };
}

/** Bigger than the broker's `message.max.bytes` (1 MiB): the broker refuses it at once. */
const OVERSIZED = Buffer.alloc(1_100_000, "x");

/**
 * Runs every kafkajs interceptor against the real broker: a single-message `send`, a two-topic
 * `sendBatch`, a refused send, an `eachMessage` consumer, an `eachBatch` consumer and a lag
 * monitor poll, and returns what they recorded. (Handler failures, and with them
 * `traceway.messaging.process.errors`, are handler-errors.test.ts' scenario.)
 */
export async function runScenario(): Promise<ScenarioTelemetry> {
  await ensureServices("kafka");
  enableContextManager();
  const telemetry = createTestTelemetry();
  const id = randomUUID().slice(0, 8);
  const topics = { single: `traceway-conv-a-${id}`, batched: `traceway-conv-b-${id}` };
  const groups = { each: `traceway-conv-each-${id}`, batch: `traceway-conv-batch-${id}` };
  const kafka = new Kafka({
    clientId: "traceway-conventions",
    brokers: [KAFKA_BROKER],
    logLevel: logLevel.NOTHING,
  });
  const options = {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    clientId: "conventions",
  };
  const admin = kafka.admin();
  await admin.connect();
  const consumers: Consumer[] = [];
  try {
    await admin.createTopics({
      topics: [
        { topic: topics.single, numPartitions: 2 },
        { topic: topics.batched, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    const producer = instrumentProducer(kafka.producer(), options);
    await producer.connect();
    const request = telemetry.tracerProvider.getTracer("scenario").startSpan("request");
    await context.with(trace.setSpan(context.active(), request), async () => {
      await producer.send({ topic: topics.single, messages: [{ key: "k", value: "one" }] });
      await producer.sendBatch({
        topicMessages: [
          { topic: topics.single, messages: [{ value: "two" }] },
          { topic: topics.batched, messages: [{ value: "b1" }, { value: "b2" }, { value: "b3" }] },
        ],
      });
      await producer.send({ topic: topics.single, messages: [{ value: OVERSIZED }] }).catch(() => undefined);
    });
    request.end();
    await producer.disconnect();

    let each = 0;
    let batched = 0;
    const eachConsumer = instrumentConsumer(kafka.consumer({ groupId: groups.each }), options);
    const batchConsumer = instrumentConsumer(kafka.consumer({ groupId: groups.batch }), options);
    consumers.push(eachConsumer, batchConsumer);
    for (const [consumer, topic] of [
      [eachConsumer, topics.single],
      [batchConsumer, topics.batched],
    ] as const) {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
    }
    await eachConsumer.run({
      autoCommitThreshold: 1,
      eachMessage: () => {
        each += 1;
        return Promise.resolve();
      },
    });
    await batchConsumer.run({
      eachBatch: async (payload) => {
        for (const message of payload.batch.messages) {
          payload.resolveOffset(message.offset);
          batched += 1;
        }
        await Promise.resolve();
      },
    });
    await waitFor(() => each === 2 && batched === 3, { what: "every message consumed", timeoutMs: 60_000 });
    for (const consumer of consumers) await consumer.disconnect();

    const lag = createLagMonitor({
      admin,
      groupIds: [groups.each, groups.batch],
      meterProvider: telemetry.meterProvider,
    });
    await lag.poll();
    const { resourceMetrics } = await telemetry.reader.collect();
    return {
      metrics: resourceMetrics.scopeMetrics
        .filter((scope) => scope.scope.name === INSTRUMENTATION_SCOPE)
        .flatMap((scope) => scope.metrics),
      spans: telemetry.spans().filter((span) => span.instrumentationScope.name === INSTRUMENTATION_SCOPE),
      topics,
    };
  } finally {
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
    await telemetry.shutdown();
  }
}
