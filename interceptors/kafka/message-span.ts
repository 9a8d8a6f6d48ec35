import { isSpanContextValid, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import type { Context, Span, SpanContext, SpanOptions } from "@opentelemetry/api";
import type { KafkaMessage } from "kafkajs";
import type { SamplerKnowledge } from "../internal/known-sampler.ts";
import {
  ATTR_KAFKA_MESSAGE_KEY,
  ATTR_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_KAFKA_OFFSET,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
} from "../semconv.ts";
import { spanTime } from "./kafka-telemetry.ts";
import type { KafkaTelemetry } from "./kafka-telemetry.ts";
import type { PartitionTelemetry } from "./partition-telemetry.ts";

/**
 * Whether a span started under `parent` will be sampled, decided without creating it, or
 * `undefined` when only the tracer can tell. Known only for the SDK's parent-based samplers
 * (see {@link KnownSampler}): a child follows its parent's sampled flag, and a root is never
 * sampled at ratio 0 and always at ratio 1.
 */
export function samplingOf(
  knowledge: SamplerKnowledge,
  parent: SpanContext | undefined,
): boolean | undefined {
  if (knowledge.kind === "noop") return false;
  if (knowledge.kind === "unknown") return undefined;
  if (parent !== undefined && isSpanContextValid(parent))
    return (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
  if (knowledge.rootRatio === 0) return false;
  if (knowledge.rootRatio === 1) return true;
  return undefined;
}

/** The per-message attributes, only worth computing for a span that records. */
function addMessageAttributes(telemetry: KafkaTelemetry, span: Span, message: KafkaMessage): void {
  span.setAttribute(ATTR_KAFKA_OFFSET, Number(message.offset));
  if (message.value !== null) span.setAttribute(ATTR_MESSAGING_MESSAGE_BODY_SIZE, message.value.length);
  if (message.key !== null) {
    if (telemetry.captureMessageKey) span.setAttribute(ATTR_KAFKA_MESSAGE_KEY, message.key.toString("utf8"));
    if (message.value === null) span.setAttribute(ATTR_KAFKA_MESSAGE_TOMBSTONE, true);
  }
}

/**
 * Starts the `process <topic>` CONSUMER span of one message, or returns `undefined` when the
 * sampler is known to drop it: then no span object is made at all (for the 90 % a 10 % sampler
 * drops, the message costs a flag test). Otherwise:
 *
 * - with a sampler known to read no attributes, the span starts bare and gets its attributes
 *   only if it records;
 * - with any other sampler, it starts with the attributes the messaging semconv lists as
 *   sampling inputs, so that sampler sees them.
 *
 * A recording span links to the message's creation context (the semconv's correlation for every
 * process span), also when that context is its parent.
 */
export function startMessageSpan(
  telemetry: KafkaTelemetry,
  entry: PartitionTelemetry,
  message: KafkaMessage,
  startMs: number,
  parent: Context,
  creation: SpanContext | undefined,
): Span | undefined {
  const knowledge = telemetry.sampler.current();
  if (samplingOf(knowledge, trace.getSpanContext(parent)) === false) return undefined;
  const options: SpanOptions = { kind: SpanKind.CONSUMER, startTime: spanTime(telemetry, startMs) };
  const known = knowledge.kind === "parent-based";
  if (!known) options.attributes = entry.spanAttributes;
  const span = telemetry.tracer.startSpan(entry.spanName, options, parent);
  if (!span.isRecording()) return span;
  if (known) span.setAttributes(entry.spanAttributes);
  addMessageAttributes(telemetry, span, message);
  if (creation !== undefined && isSpanContextValid(creation)) span.addLink({ context: creation });
  return span;
}
