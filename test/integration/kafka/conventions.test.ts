import assert from "node:assert/strict";
import { before, test } from "node:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import { DataPointType } from "@opentelemetry/sdk-metrics";
import type { MetricData } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { ATTR_ERROR_TYPE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from "@opentelemetry/semantic-conventions";
import {
  ATTR_KAFKA_OFFSET,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM_NAME,
  MESSAGING_OPERATION_TYPE_VALUE_CREATE,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_OPERATION_TYPE_VALUE_RECEIVE,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
  MESSAGING_SYSTEM_NAME_VALUE_KAFKA,
  METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES,
  METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
  METRIC_MESSAGING_CLIENT_SENT_MESSAGES,
  METRIC_MESSAGING_PROCESS_DURATION,
} from "@opentelemetry/semantic-conventions/incubating";
import { CUSTOM_NAMES } from "../../../interceptors/semconv.ts";
import { semconvRegistry } from "../../helpers/semconv-registry.ts";
import { runScenario } from "./conventions-scenario.ts";
import type { ScenarioTelemetry } from "./conventions-scenario.ts";

// Every instrument and span the kafkajs interceptors produce, checked against the messaging
// semantic conventions: the names and keys against @opentelemetry/semantic-conventions (current,
// not deprecated), units and requirement levels against the semconv's messaging-metrics.md,
// messaging-spans.md and kafka.md; any traceway.* name must be in CUSTOM_NAMES with its reason.

interface MetricConvention {
  readonly type: DataPointType;
  readonly unit: string;
  /** Requirement level Required: on every point. */
  readonly required: readonly string[];
  /** Conditionally Required / Recommended whose condition holds for every point of the scenario. */
  readonly always: readonly string[];
}

const REQUIRED = [ATTR_MESSAGING_OPERATION_NAME, ATTR_MESSAGING_SYSTEM_NAME];
const BROKER = [ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT];
const CONSUMED = [
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
];

/** The semconv's messaging metrics, as messaging-metrics.md defines them. */
const SEMCONV_METRICS: Readonly<Record<string, MetricConvention>> = {
  [METRIC_MESSAGING_CLIENT_OPERATION_DURATION]: {
    type: DataPointType.HISTOGRAM,
    unit: "s",
    required: REQUIRED,
    always: [ATTR_MESSAGING_OPERATION_TYPE, ...BROKER],
  },
  [METRIC_MESSAGING_PROCESS_DURATION]: {
    type: DataPointType.HISTOGRAM,
    unit: "s",
    required: REQUIRED,
    always: [...CONSUMED, ...BROKER],
  },
  [METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES]: {
    type: DataPointType.SUM,
    unit: "{message}",
    required: REQUIRED,
    always: [...CONSUMED, ...BROKER],
  },
  [METRIC_MESSAGING_CLIENT_SENT_MESSAGES]: {
    type: DataPointType.SUM,
    unit: "{message}",
    required: REQUIRED,
    always: [ATTR_MESSAGING_DESTINATION_NAME, ...BROKER],
  },
};

/** traceway's own metrics and the units the "Conventions" table in docs/telemetry.md gives them (UCUM, counts in braces). */
const CUSTOM_UNITS: Readonly<Record<string, string>> = {
  "traceway.messaging.e2e.duration": "s",
  "traceway.messaging.kafka.fetch.lag": "{message}",
  "traceway.messaging.kafka.consumer_group.lag": "{message}",
  "traceway.messaging.kafka.consumer_group.time_lag": "s",
  "traceway.messaging.kafka.consumer_group.status": "{partition}",
  "traceway.messaging.kafka.consumer.events": "{event}",
  "traceway.messaging.kafka.lag_monitor.poll_age": "s",
};

/** Where traceway knowingly differs from the semconv, with the reason ("Conventions" in docs/kafka.md). */
const DEVIATIONS: Readonly<Record<string, string>> = {
  "messaging.message.body.size":
    "Opt-In in semconv; set on single-message spans by default (cheap, spans only)",
};

const registry = semconvRegistry();
const customMetrics = new Set(CUSTOM_NAMES.filter((n) => n.kind === "metric").map((n) => n.name));
const customAttributes = new Set(CUSTOM_NAMES.filter((n) => n.kind === "attribute").map((n) => n.name));
let scenario: ScenarioTelemetry;

before(async () => {
  scenario = await runScenario();
});

function pointsOf(metric: MetricData): { attributes: Attributes; count: number }[] {
  return (metric.dataPoints as { attributes: Attributes; value: number | { count: number } }[]).map((p) => ({
    attributes: p.attributes,
    count: typeof p.value === "number" ? p.value : p.value.count,
  }));
}

function assertKnownKeys(where: string, attributes: Attributes): void {
  for (const key of Object.keys(attributes)) {
    if (key.startsWith("traceway.")) {
      assert.ok(customAttributes.has(key), `${where}: ${key} is not in CUSTOM_NAMES`);
      continue;
    }
    const known = registry.attributes.get(key);
    assert.ok(known, `${where}: ${key} is no semconv attribute`);
    assert.equal(known.deprecated, false, `${where}: ${key} (${known.constant}) is deprecated`);
  }
}

void test("every metric: a current semconv name or an allow-listed traceway.* one, with its unit", () => {
  const names = scenario.metrics.map((m) => m.descriptor.name).sort();
  assert.deepEqual(
    names,
    [...Object.keys(SEMCONV_METRICS), ...Object.keys(CUSTOM_UNITS)].sort(),
    "the scenario exercises every instrument (and nothing unlisted)",
  );
  for (const metric of scenario.metrics) {
    const { name, unit } = metric.descriptor;
    const convention = SEMCONV_METRICS[name];
    if (convention === undefined) {
      assert.ok(name.startsWith("traceway.") && customMetrics.has(name), `${name} is not in CUSTOM_NAMES`);
      assert.equal(unit, CUSTOM_UNITS[name], `${name} unit`);
    } else {
      const known = registry.metrics.get(name);
      assert.equal(known?.deprecated, false, `${name} is a current semconv metric`);
      assert.equal(unit, convention.unit, `${name} unit`);
      assert.equal(metric.dataPointType, convention.type, `${name} instrument type`);
    }
    assert.doesNotMatch(
      name,
      /(^|[._])(seconds|milliseconds|total|ratio|percent)($|[._])/,
      `${name}: no unit in the name`,
    );
    assert.match(unit, /^(s|1|\{[a-z_]+\})$/, `${name}: UCUM unit, counts as {annotation}`);
    for (const point of pointsOf(metric)) assertKnownKeys(name, point.attributes);
  }
});

void test("semconv metrics carry their Required attributes, and the conditional ones where they apply", () => {
  for (const metric of scenario.metrics) {
    const convention = SEMCONV_METRICS[metric.descriptor.name];
    if (convention === undefined) continue;
    const points = pointsOf(metric);
    assert.ok(points.length > 0, `${metric.descriptor.name} has points`);
    for (const { attributes } of points) {
      const where = `${metric.descriptor.name} ${JSON.stringify(attributes)}`;
      for (const key of convention.required)
        assert.ok(attributes[key] !== undefined, `${where}: Required ${key}`);
      assert.equal(attributes[ATTR_MESSAGING_SYSTEM_NAME], MESSAGING_SYSTEM_NAME_VALUE_KAFKA);
      for (const key of convention.always) assert.ok(attributes[key] !== undefined, `${where}: ${key}`);
      for (const value of Object.values(attributes)) assert.notEqual(value, "", `${where}: no empty values`);
    }
  }
  const operations = pointsOf(
    scenario.metrics.find((m) => m.descriptor.name === METRIC_MESSAGING_CLIENT_OPERATION_DURATION)!,
  );
  const byType = (type: string) =>
    operations.filter((p) => p.attributes[ATTR_MESSAGING_OPERATION_TYPE] === type);
  assert.ok(byType(MESSAGING_OPERATION_TYPE_VALUE_RECEIVE).length > 0, "fetches are timed (poll)");
  for (const poll of byType(MESSAGING_OPERATION_TYPE_VALUE_RECEIVE)) {
    assert.equal(poll.attributes[ATTR_MESSAGING_OPERATION_NAME], "poll");
    assert.ok(poll.attributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME], "Conditionally Required: the group");
    assert.ok(poll.attributes[ATTR_MESSAGING_DESTINATION_NAME], "one subscribed topic: the destination");
  }
  const sends = byType(MESSAGING_OPERATION_TYPE_VALUE_SEND);
  assert.deepEqual(
    sends.filter((p) => p.attributes[ATTR_MESSAGING_DESTINATION_NAME] === undefined).map((p) => p.count),
    [1],
    "only the two-topic sendBatch has no single destination",
  );
  for (const name of [METRIC_MESSAGING_CLIENT_SENT_MESSAGES, METRIC_MESSAGING_CLIENT_OPERATION_DURATION]) {
    const points = pointsOf(scenario.metrics.find((m) => m.descriptor.name === name)!);
    const failed = points.filter((p) => p.attributes[ATTR_ERROR_TYPE] !== undefined);
    assert.equal(
      failed.reduce((sum, p) => sum + p.count, 0),
      1,
      `${name}: error.type on the refused send only`,
    );
    assert.match(String(failed[0]?.attributes[ATTR_ERROR_TYPE]), /^KafkaJS\w+$/);
  }
});

function spansOf(type: string): ReadableSpan[] {
  return scenario.spans.filter((s) => s.attributes[ATTR_MESSAGING_OPERATION_TYPE] === type);
}

void test("every span: named {operation} {destination}, its kind, Required and applicable attributes", () => {
  assert.ok(scenario.spans.length > 0);
  for (const span of scenario.spans) {
    const a = span.attributes;
    const where = `${span.name} ${JSON.stringify(a)}`;
    assertKnownKeys(where, a);
    for (const key of REQUIRED) assert.ok(a[key] !== undefined, `${where}: Required ${key}`);
    assert.equal(a[ATTR_MESSAGING_SYSTEM_NAME], MESSAGING_SYSTEM_NAME_VALUE_KAFKA);
    assert.ok(a[ATTR_MESSAGING_OPERATION_TYPE] !== undefined, `${where}: operation type applies`);
    const operation = String(a[ATTR_MESSAGING_OPERATION_NAME]);
    const destination = a[ATTR_MESSAGING_DESTINATION_NAME];
    assert.equal(span.name, typeof destination === "string" ? `${operation} ${destination}` : operation);
    for (const key of BROKER) assert.ok(a[key] !== undefined, `${where}: Recommended ${key}`);
    // kafka.md lists messaging.client.id on send and process spans, not on create spans.
    const withClient = a[ATTR_MESSAGING_OPERATION_TYPE] !== MESSAGING_OPERATION_TYPE_VALUE_CREATE;
    assert.equal(a[ATTR_MESSAGING_CLIENT_ID] !== undefined, withClient, `${where}: messaging.client.id`);
    assert.equal(
      a[ATTR_ERROR_TYPE] !== undefined,
      span.status.code === SpanStatusCode.ERROR,
      `${where}: error.type iff failed`,
    );
    const count = a[ATTR_MESSAGING_BATCH_MESSAGE_COUNT];
    assert.ok(
      count === undefined || (typeof count === "number" && count > 1),
      `${where}: a batch count only on batches`,
    );
    for (const key of Object.keys(a)) if (key in DEVIATIONS) assert.ok(DEVIATIONS[key]);
  }
});

void test("producer spans: one send per call, a create span per message of a batch, send links to them", () => {
  const sends = spansOf(MESSAGING_OPERATION_TYPE_VALUE_SEND);
  const creates = spansOf(MESSAGING_OPERATION_TYPE_VALUE_CREATE);
  assert.equal(sends.length, 3, "single send, sendBatch, refused send");
  for (const send of sends) {
    const batch = send.attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] !== undefined;
    assert.equal(send.kind, batch ? SpanKind.CLIENT : SpanKind.PRODUCER, send.name);
  }
  const batchSend = sends.find((s) => s.attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] === 4);
  assert.ok(batchSend);
  assert.equal(creates.length, 4);
  for (const create of creates) {
    assert.equal(create.kind, SpanKind.PRODUCER);
    assert.ok(create.attributes[ATTR_MESSAGING_DESTINATION_NAME], "a create span is about one message");
  }
  assert.deepEqual(
    batchSend.links.map((l) => l.context.spanId).sort(),
    creates.map((c) => c.spanContext().spanId).sort(),
  );
});

void test("consumer spans: process per message (linked to its creation context) and per eachBatch call", () => {
  const process = spansOf(MESSAGING_OPERATION_TYPE_VALUE_PROCESS);
  const batches = process.filter((s) => s.attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] !== undefined);
  const messages = process.filter((s) => s.attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] === undefined);
  assert.equal(messages.length, 5, "two eachMessage messages and three of the batch");
  assert.ok(batches.length >= 1);
  const creations = new Set(
    [...spansOf(MESSAGING_OPERATION_TYPE_VALUE_CREATE), ...spansOf(MESSAGING_OPERATION_TYPE_VALUE_SEND)].map(
      (s) => s.spanContext().spanId,
    ),
  );
  for (const span of process) {
    assert.equal(span.kind, SpanKind.CONSUMER);
    for (const key of [ATTR_MESSAGING_CONSUMER_GROUP_NAME, ATTR_MESSAGING_DESTINATION_PARTITION_ID])
      assert.ok(span.attributes[key] !== undefined, `${span.name}: ${key}`);
    assert.ok(
      span.links.length > 0 && span.links.every((l) => creations.has(l.context.spanId)),
      "links to creation contexts",
    );
  }
  for (const span of messages) assert.equal(typeof span.attributes[ATTR_KAFKA_OFFSET], "number");
  assert.equal(
    scenario.spans.some(
      (s) => s.attributes[ATTR_MESSAGING_OPERATION_TYPE] === MESSAGING_OPERATION_TYPE_VALUE_RECEIVE,
    ),
    false,
    "no span times a handler as a receive",
  );
});
