/**
 * `@opentelemetry/instrumentation-kafkajs` patches `Kafka.prototype.producer/consumer`, then wraps
 * `send`/`sendBatch` on every producer and `run` on every consumer it creates, and marks each
 * object with a private symbol once it has attached its event listeners. Either mark means its
 * spans, header injection and semconv counters are already there; adding ours would
 * double-inject `traceparent` (theirs would win anyway, being inner) and double-count.
 */
const OTEL_LISTENERS_SYMBOL_DESCRIPTION = "opentelemetry.instrumentation.kafkajs.eventListenersSet";

interface ShimmerWrapped {
  __wrapped?: unknown;
  __original?: unknown;
}

function isShimmerWrapped(fn: unknown): boolean {
  if (typeof fn !== "function") return false;
  const marks = fn as ShimmerWrapped;
  return marks.__wrapped === true && typeof marks.__original === "function";
}

/** True when `@opentelemetry/instrumentation-kafkajs` has instrumented this producer or consumer. */
export function isInstrumentedByOtelKafkajs(client: object, method: "run" | "send"): boolean {
  try {
    for (const symbol of Object.getOwnPropertySymbols(client)) {
      if (symbol.description === OTEL_LISTENERS_SYMBOL_DESCRIPTION) return true;
    }
    return isShimmerWrapped((client as Record<string, unknown>)[method]);
  } catch {
    return false;
  }
}
