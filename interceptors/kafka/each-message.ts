import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import type { Context, Span } from "@opentelemetry/api";
import type { EachMessageHandler, EachMessagePayload } from "kafkajs";
import { kafkaHeaderGetter } from "./header-carrier.ts";
import { failSpan, processSpanAttributes, recordDelivered, recordProcessed } from "./consumer-recorder.ts";
import type { ConsumerRecorder } from "./consumer-recorder.ts";
import { guard, spanTime } from "./kafka-telemetry.ts";
import type { Failure } from "./kafka-telemetry.ts";

interface Processing {
  readonly startMs: number;
  readonly span: Span | undefined;
  readonly context: Context | undefined;
}

function begin(recorder: ConsumerRecorder, payload: EachMessagePayload): Processing {
  const { telemetry } = recorder;
  const startMs = telemetry.clock.now();
  recordDelivered(recorder, payload.topic, payload.partition, 1);
  if (telemetry.deferToOtel) return { startMs, span: undefined, context: undefined };
  // The producer's context is the parent, not whatever happens to be active in kafkajs'
  // fetch loop: the message, not the poll, is what continues the producer's trace.
  const parent = telemetry.propagator.extract(ROOT_CONTEXT, payload.message.headers, kafkaHeaderGetter);
  const span = telemetry.tracer.startSpan(
    `process ${payload.topic}`,
    {
      kind: SpanKind.CONSUMER,
      startTime: spanTime(telemetry, startMs),
      attributes: processSpanAttributes(recorder, payload.topic, payload.partition, payload.message),
    },
    parent,
  );
  return { startMs, span, context: trace.setSpan(parent, span) };
}

function end(
  recorder: ConsumerRecorder,
  payload: EachMessagePayload,
  processing: Processing,
  failure?: Failure,
) {
  const endMs = recorder.telemetry.clock.now();
  recordProcessed(
    recorder,
    payload.topic,
    payload.partition,
    payload.message,
    endMs - processing.startMs,
    failure,
  );
  if (processing.span === undefined) return;
  if (failure !== undefined) failSpan(processing.span, failure);
  processing.span.end(spanTime(recorder.telemetry, endMs));
}

/**
 * Wraps an `eachMessage` handler: one `process <topic>` CONSUMER span per message, child of the
 * context extracted from its headers, active while the handler runs. The handler's result and
 * errors pass through untouched, so kafkajs' retry and commit behaviour is what it would be
 * without traceway.
 */
export function wrapEachMessage(recorder: ConsumerRecorder, handler: EachMessageHandler): EachMessageHandler {
  return async function tracewayEachMessage(payload: EachMessagePayload): Promise<void> {
    const processing = guard("eachMessage start", () => begin(recorder, payload));
    try {
      if (processing?.context === undefined) {
        await handler(payload);
      } else {
        await context.with(processing.context, handler, undefined, payload);
      }
    } catch (error) {
      guard("eachMessage end", () => {
        if (processing !== undefined) end(recorder, payload, processing, { error });
      });
      throw error;
    }
    guard("eachMessage end", () => {
      if (processing !== undefined) end(recorder, payload, processing);
    });
  };
}
