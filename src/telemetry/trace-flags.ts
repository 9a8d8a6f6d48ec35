/** `00`…`ff`, made once: the hex a log line's `trace_flags` carries (W3C trace-flags, 2 digits). */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * W3C trace flags as OpenTelemetry writes them in non-OTLP logs: two lowercase hex digits, `01`
 * when the trace was sampled (exported to Jaeger), `00` when it was not.
 */
export function traceFlagsHex(flags: number): string {
  return HEX[flags & 0xff]!;
}
