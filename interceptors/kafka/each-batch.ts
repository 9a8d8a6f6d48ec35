import { context, SpanKind, trace } from "@opentelemetry/api";
import type { Attributes, Context, Link, Span } from "@opentelemetry/api";
import type { Batch, EachBatchHandler, EachBatchPayload, KafkaMessage } from "kafkajs";
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_RECEIVE,
  MESSAGING_SYSTEM_KAFKA,
} from "../semconv.ts";
import { BatchTimeline } from "./batch-timeline.ts";
import {
  failSpan,
  producerContext,
  recordDelivered,
  recordProcessed,
  startProcessSpan,
} from "./consumer-recorder.ts";
import type { ConsumerRecorder } from "./consumer-recorder.ts";
import { guard, spanTime } from "./kafka-telemetry.ts";
import type { Failure } from "./kafka-telemetry.ts";

interface BatchSession {
  readonly payload: EachBatchPayload;
  readonly context: Context | undefined;
  finish(failure?: Failure): void;
}

function pollAttributes(recorder: ConsumerRecorder, batch: Batch): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_RECEIVE,
    [ATTR_MESSAGING_OPERATION_NAME]: "poll",
    [ATTR_MESSAGING_DESTINATION_NAME]: batch.topic,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(batch.partition),
    [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: batch.messages.length,
  };
  const group = recorder.groupId();
  if (group !== undefined) attributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME] = group;
  if (recorder.telemetry.clientId !== undefined)
    attributes[ATTR_MESSAGING_CLIENT_ID] = recorder.telemetry.clientId;
  return attributes;
}

function producerLinks(recorder: ConsumerRecorder, messages: readonly KafkaMessage[]): (Link | undefined)[] {
  return messages.map((message) => {
    const spanContext = trace.getSpanContext(producerContext(recorder.telemetry, message.headers));
    return spanContext === undefined ? undefined : { context: spanContext };
  });
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

  let pollSpan: Span | undefined;
  let pollContext: Context | undefined;
  let links: (Link | undefined)[] = [];
  if (!telemetry.deferToOtel) {
    links = producerLinks(recorder, messages);
    pollSpan = telemetry.tracer.startSpan(`poll ${batch.topic}`, {
      kind: SpanKind.CLIENT,
      startTime: spanTime(telemetry, telemetry.clock.now()),
      attributes: pollAttributes(recorder, batch),
      links: links.filter((link): link is Link => link !== undefined),
    });
    pollContext = trace.setSpan(context.active(), pollSpan);
  }

  const timeline = new BatchTimeline(
    messages.map((message) => message.offset),
    telemetry.clock,
    (first, last, beginMs, endMs, failure) => {
      for (let i = first; i <= last; i++) {
        const message = messages[i];
        if (message === undefined) continue;
        recordProcessed(telemetry, entry, message, endMs - beginMs, failure);
        if (pollContext === undefined) continue;
        const link = links[i];
        const span = startProcessSpan(
          telemetry,
          entry,
          message,
          beginMs,
          pollContext,
          link === undefined ? undefined : [link],
        );
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
    context: pollContext,
    finish(failure) {
      guard("eachBatch finish", () => timeline.finish(failure));
      if (pollSpan === undefined) return;
      if (failure !== undefined) failSpan(pollSpan, failure);
      pollSpan.end(spanTime(telemetry, telemetry.clock.now()));
    },
  };
}

/**
 * Wraps an `eachBatch` handler: a `poll <topic>` CLIENT span per batch linked to every message's
 * producer context, and a `process <topic>` CONSUMER span per message with its own duration
 * (see {@link BatchTimeline} for how it is measured). `resolveOffset`, `heartbeat`,
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
