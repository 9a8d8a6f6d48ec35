import { isSpanContextValid, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import type { Attributes, Context, Span, SpanContext, SpanOptions } from "@opentelemetry/api";
import type { KafkaMessage } from "kafkajs";
import type { SamplerKnowledge } from "../internal/known-sampler.ts";
import { UnsampledSpan } from "../internal/unsampled-span.ts";
import { rootSampledContext } from "../traceway-sampler.ts";
import {
  ATTR_KAFKA_MESSAGE_KEY,
  ATTR_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_KAFKA_OFFSET,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
} from "../semconv.ts";
import { spanTime } from "./kafka-telemetry.ts";
import type { KafkaTelemetry } from "./kafka-telemetry.ts";
import type { PartitionTelemetry } from "./partition-telemetry.ts";

/** How the next span under some parent is to be made, decided before making anything. */
export const SpanPlan = {
  /** The sampler is known to drop it, and the parent's context already says so: make nothing. */
  Skip: 0,
  /** A root the sampler is known to drop: an {@link UnsampledSpan}, no tracer call. */
  UnsampledRoot: 1,
  /** A root a {@link TracewaySampler} decided to keep: start it in `rootSampledContext`. */
  SampledRoot: 2,
  /** The sampler reads no attributes: start the span bare, add attributes if it records. */
  Bare: 3,
  /** Unknown sampler: start the span with its sampling-relevant attributes. */
  Full: 4,
} as const;
export type SpanPlan = (typeof SpanPlan)[keyof typeof SpanPlan];

/**
 * Decides how to make a span under `parent` from what is known of the sampler (see
 * {@link KnownSampler}): with no SDK nothing is made; with a parent-based sampler a child follows
 * its parent's sampled flag, a root at ratio 0 is dropped, and a {@link TracewaySampler} decides
 * a root itself; anything else goes through the tracer with the attributes a sampler may read.
 */
export function planSpan(knowledge: SamplerKnowledge, parent: SpanContext | undefined): SpanPlan {
  if (knowledge.kind === "noop") return SpanPlan.Skip;
  if (knowledge.kind === "unknown") return SpanPlan.Full;
  if (parent !== undefined && isSpanContextValid(parent))
    return (parent.traceFlags & TraceFlags.SAMPLED) !== 0 ? SpanPlan.Bare : SpanPlan.Skip;
  if (knowledge.rootRatio === 0) return SpanPlan.UnsampledRoot;
  if (knowledge.roots === undefined) return SpanPlan.Bare;
  return knowledge.roots.sampleRoot() ? SpanPlan.SampledRoot : SpanPlan.UnsampledRoot;
}

/**
 * Starts a span as `plan` says (never for {@link SpanPlan.Skip}). `attributes` are given at start
 * only to a sampler that may read them, and set afterwards on a span that records otherwise.
 */
export function startPlanned(
  telemetry: KafkaTelemetry,
  plan: SpanPlan,
  name: string,
  options: SpanOptions,
  attributes: Attributes | undefined,
  parent: Context,
): Span {
  if (plan === SpanPlan.UnsampledRoot) return new UnsampledSpan();
  if (plan === SpanPlan.Full && attributes !== undefined) options.attributes = attributes;
  const span = telemetry.tracer.startSpan(
    name,
    options,
    plan === SpanPlan.SampledRoot ? rootSampledContext(parent) : parent,
  );
  if (plan !== SpanPlan.Full && attributes !== undefined && span.isRecording())
    span.setAttributes(attributes);
  return span;
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
 * sampler is known to drop it under an unsampled parent: then no span object is made at all and
 * the parent's context carries on. A root the sampler is known to drop gets an
 * {@link UnsampledSpan} (no tracer call, ids only on demand). A recording span links to the
 * message's creation context (the semconv's correlation for every process span), also when that
 * context is its parent.
 */
export function startMessageSpan(
  telemetry: KafkaTelemetry,
  entry: PartitionTelemetry,
  message: KafkaMessage,
  startMs: number,
  parent: Context,
  creation: SpanContext | undefined,
): Span | undefined {
  const plan = planSpan(telemetry.sampler.current(), trace.getSpanContext(parent));
  if (plan === SpanPlan.Skip) return undefined;
  const options: SpanOptions = { kind: SpanKind.CONSUMER, startTime: spanTime(telemetry, startMs) };
  const span = startPlanned(telemetry, plan, entry.spanName, options, entry.spanAttributes, parent);
  if (!span.isRecording()) return span;
  addMessageAttributes(telemetry, span, message);
  if (creation !== undefined && isSpanContextValid(creation)) span.addLink({ context: creation });
  return span;
}
