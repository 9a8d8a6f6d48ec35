import { context, INVALID_SPAN_CONTEXT, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import type { Context, Span } from "@opentelemetry/api";
import type { EachMessageHandler, EachMessagePayload } from "kafkajs";
import {
  failSpan,
  producerContext,
  recordDelivered,
  recordProcessed,
  warnFailed,
} from "./consumer-recorder.ts";
import type { ConsumerRecorder } from "./consumer-recorder.ts";
import { spanTime } from "./kafka-telemetry.ts";
import { startMessageSpan } from "./message-span.ts";
import { contextWithSpan } from "../internal/span-context.ts";
import { UnsampledSpan } from "../internal/unsampled-span.ts";
import type { Failure, KafkaTelemetry } from "./kafka-telemetry.ts";
import type { PartitionTelemetry } from "./partition-telemetry.ts";

/**
 * The context the handler runs in, or `undefined` when it would carry nothing (no span and no
 * producer context), so the context manager is skipped. A span the sampler dropped still becomes
 * active when its context is valid: children then inherit "not sampled" (ParentBased samplers
 * drop whole traces, not random fragments of them) and an instrumented producer called from the
 * handler still forwards the trace id. When no span was made (the sampler is known to drop it)
 * the producer's context itself is active, with the same effect.
 */
function handlerContext(parent: Context, span: Span | undefined): Context | undefined {
  // Identity, not isSpanContextValid: the no-op tracer returns this very object, and the regex
  // checks of the validity test would run for every message.
  if (
    span !== undefined &&
    (span instanceof UnsampledSpan || span.isRecording() || span.spanContext() !== INVALID_SPAN_CONTEXT)
  )
    return contextWithSpan(parent, span);
  return parent === ROOT_CONTEXT ? undefined : parent;
}

function finish(
  telemetry: KafkaTelemetry,
  entry: PartitionTelemetry,
  payload: EachMessagePayload,
  startMs: number,
  span: Span | undefined,
  failure: Failure | undefined,
): void {
  try {
    const endMs = telemetry.clock.now();
    recordProcessed(telemetry, entry, payload.message, endMs - startMs, endMs, failure);
    if (span === undefined) return;
    if (failure !== undefined) failSpan(span, failure);
    span.end(spanTime(telemetry, endMs));
  } catch (err) {
    warnFailed("eachMessage end", err);
  }
}

/**
 * Wraps an `eachMessage` handler: one `process <topic>` CONSUMER span per message, child of (and
 * linked to) the creation context extracted from its headers, active while the handler runs. The handler's result and
 * errors pass through untouched, so kafkajs' retry and commit behaviour is what it would be
 * without traceway.
 *
 * This runs once per message at up to a few hundred thousand messages a second, so it allocates
 * no closures and reuses per-partition attribute objects (see {@link PartitionTelemetry}).
 */
export function wrapEachMessage(recorder: ConsumerRecorder, handler: EachMessageHandler): EachMessageHandler {
  const { telemetry, partitions } = recorder;
  return async function tracewayEachMessage(payload: EachMessagePayload): Promise<void> {
    let entry: PartitionTelemetry | undefined;
    let span: Span | undefined;
    let active: Context | undefined;
    let startMs = 0;
    try {
      startMs = telemetry.clock.now();
      entry = partitions.get(payload.topic, payload.partition);
      recordDelivered(entry, 1);
      if (!telemetry.deferToOtel) {
        // The producer's context is the parent, not whatever happens to be active in kafkajs'
        // fetch loop: the message, not the poll, is what continues the producer's trace.
        const parent = producerContext(telemetry, payload.message.headers);
        const creation = parent === ROOT_CONTEXT ? undefined : trace.getSpanContext(parent);
        span = startMessageSpan(telemetry, entry, payload.message, startMs, parent, creation);
        active = handlerContext(parent, span);
      }
    } catch (err) {
      warnFailed("eachMessage start", err);
    }
    try {
      if (active === undefined) {
        await handler(payload);
      } else {
        await context.with(active, handler, undefined, payload);
      }
    } catch (error) {
      if (entry !== undefined) finish(telemetry, entry, payload, startMs, span, { error });
      throw error;
    }
    if (entry !== undefined) finish(telemetry, entry, payload, startMs, span, undefined);
  };
}
