import { context, SpanKind, trace } from "@opentelemetry/api";
import type { Attributes, Context, Link, Span, SpanContext, SpanOptions } from "@opentelemetry/api";
import type { Batch, EachBatchHandler, EachBatchPayload, KafkaMessage } from "kafkajs";
import { ATTR_MESSAGING_BATCH_MESSAGE_COUNT } from "../semconv.ts";
import { BatchTimeline } from "./batch-timeline.ts";
import { failSpan, producerContext, recordDelivered, recordProcessed } from "./consumer-recorder.ts";
import type { ConsumerRecorder } from "./consumer-recorder.ts";
import { guard, spanTime } from "./kafka-telemetry.ts";
import type { Failure, KafkaTelemetry } from "./kafka-telemetry.ts";
import { planSpan, SpanPlan, startMessageSpan, startPlanned } from "./message-span.ts";
import type { PartitionTelemetry } from "./partition-telemetry.ts";

interface BatchSession {
  readonly payload: EachBatchPayload;
  readonly context: Context | undefined;
  finish(failure?: Failure): void;
}

/** The batch's `process` span, and what its per-message spans start from. */
interface BatchTrace {
  readonly span: Span;
  readonly context: Context;
  /** Each message's creation context, by index (`undefined`: the message carried none). */
  readonly creations: readonly (SpanContext | undefined)[];
  /** Whether per-message spans may be sampled under this batch span. */
  readonly messages: boolean;
}

function creationContexts(
  telemetry: KafkaTelemetry,
  messages: readonly KafkaMessage[],
): (SpanContext | undefined)[] {
  return messages.map((message) => trace.getSpanContext(producerContext(telemetry, message.headers)));
}

function linksTo(creations: readonly (SpanContext | undefined)[]): Link[] {
  const links: Link[] = [];
  for (const creation of creations) if (creation !== undefined) links.push({ context: creation });
  return links;
}

/**
 * Starts the batch's `process <topic>` CONSUMER span (child of the context kafkajs runs the
 * handler in, linked to every message's creation context, `messaging.batch.message_count`), or
 * returns `undefined` when the sampler is known to drop it and so every span under it: then not
 * even the messages' headers are read. A sampler known to read no attributes or links gets none
 * at start; any other sees them all.
 */
function startBatchTrace(
  telemetry: KafkaTelemetry,
  entry: PartitionTelemetry,
  batch: Batch,
): BatchTrace | undefined {
  const ambient = context.active();
  const plan = planSpan(telemetry.sampler.current(), trace.getSpanContext(ambient));
  if (plan === SpanPlan.Skip) return undefined;
  const attributes: Attributes = {
    ...entry.spanAttributes,
    [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: batch.messages.length,
  };
  const options: SpanOptions = {
    kind: SpanKind.CONSUMER,
    startTime: spanTime(telemetry, telemetry.clock.now()),
  };
  let creations: (SpanContext | undefined)[] = [];
  if (plan === SpanPlan.Full) {
    creations = creationContexts(telemetry, batch.messages);
    options.links = linksTo(creations);
  }
  const span = startPlanned(telemetry, plan, entry.spanName, options, attributes, ambient);
  if (plan !== SpanPlan.Full && span.isRecording()) {
    creations = creationContexts(telemetry, batch.messages);
    span.addLinks(linksTo(creations));
  }
  // Under a batch span known to be unsampled, every message span would be unsampled too.
  const messages = span.isRecording() || plan === SpanPlan.Full;
  return { span, context: trace.setSpan(ambient, span), creations, messages };
}

function isIndex(property: string | symbol): property is string {
  if (typeof property !== "string" || property.length === 0) return false;
  const first = property.charCodeAt(0);
  return first >= 48 && first <= 57;
}

function watchedMessages(messages: KafkaMessage[], timeline: BatchTimeline): KafkaMessage[] {
  return new Proxy(messages, {
    get(target, property, receiver) {
      if (isIndex(property)) guard("eachBatch read", () => timeline.touch(Number(property)));
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

function beginBatch(recorder: ConsumerRecorder, payload: EachBatchPayload): BatchSession {
  const { telemetry } = recorder;
  const { batch } = payload;
  const messages = batch.messages;
  const entry = recorder.partitions.get(batch.topic, batch.partition);
  entry.position.highWatermark = batch.highWatermark;
  recordDelivered(entry, messages.length);
  const batchTrace = telemetry.deferToOtel ? undefined : startBatchTrace(telemetry, entry, batch);

  const timeline = new BatchTimeline(
    messages.map((message) => message.offset),
    telemetry.clock,
    (first, last, beginMs, endMs, failure) => {
      for (let i = first; i <= last; i++) {
        const message = messages[i];
        if (message === undefined) continue;
        recordProcessed(telemetry, entry, message, endMs - beginMs, endMs, failure);
        if (batchTrace === undefined || !batchTrace.messages) continue;
        const { context: parent, creations } = batchTrace;
        const span = startMessageSpan(telemetry, entry, message, beginMs, parent, creations[i]);
        if (span === undefined) continue;
        if (failure !== undefined) failSpan(span, failure);
        span.end(spanTime(telemetry, endMs));
      }
    },
  );

  // Only `messages` and `resolveOffset` are observed; everything else, heartbeat included, is
  // kafkajs' own object, reached through the prototype / copied as is.
  const watchedBatch = Object.create(batch, {
    messages: { value: watchedMessages(messages, timeline), enumerable: true },
  }) as Batch;
  const resolveOffset = (offset: string): void => {
    payload.resolveOffset(offset);
    guard("eachBatch resolveOffset", () => timeline.resolve(offset));
  };

  return {
    payload: { ...payload, batch: watchedBatch, resolveOffset },
    context: batchTrace?.context,
    finish(failure) {
      guard("eachBatch finish", () => timeline.finish(failure));
      if (batchTrace === undefined) return;
      if (failure !== undefined) failSpan(batchTrace.span, failure);
      batchTrace.span.end(spanTime(telemetry, telemetry.clock.now()));
    },
  };
}

/**
 * Wraps an `eachBatch` handler the way the messaging semconv models batch processing: one
 * `process <topic>` CONSUMER span for the batch (`messaging.batch.message_count`, a link to every
 * message's creation context), active while the handler runs, and under it a `process <topic>`
 * span per message with that message's own duration and a link to its creation context (see
 * {@link BatchTimeline} for how the duration is measured). `resolveOffset`, `heartbeat`,
 * `commitOffsetsIfNecessary` and the rest keep kafkajs' behaviour.
 */
export function wrapEachBatch(recorder: ConsumerRecorder, handler: EachBatchHandler): EachBatchHandler {
  return async function tracewayEachBatch(payload: EachBatchPayload): Promise<void> {
    const session = guard("eachBatch start", () => beginBatch(recorder, payload));
    if (session === undefined) return handler(payload);
    try {
      if (session.context === undefined) {
        await handler(session.payload);
      } else {
        await context.with(session.context, handler, undefined, session.payload);
      }
    } catch (error) {
      guard("eachBatch end", () => session.finish({ error }));
      throw error;
    }
    guard("eachBatch end", () => session.finish());
  };
}
