/** Marks objects traceway already wrapped, so wrapping twice never counts twice. */
export const TRACEWAY_KAFKA_INSTRUMENTED = Symbol.for("traceway.kafka.instrumented");

export function isTracewayInstrumented(client: object): boolean {
  return (client as Record<symbol, unknown>)[TRACEWAY_KAFKA_INSTRUMENTED] === true;
}
