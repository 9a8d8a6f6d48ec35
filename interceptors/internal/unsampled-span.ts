import { TraceFlags } from "@opentelemetry/api";
import type { Span, SpanContext } from "@opentelemetry/api";

function hex(words: number): string {
  let id = "";
  for (let i = 0; i < words; i++) id += ((Math.random() * 2 ** 32) >>> 0).toString(16).padStart(8, "0");
  return id;
}

function nonZeroHex(words: number): string {
  const id = hex(words);
  return /^0+$/.test(id) ? `${id.slice(0, -1)}1` : id;
}

/**
 * The span of a trace the sampler decided not to sample, made without the tracer: what the SDK
 * would return (a non-recording span with fresh ids and the sampled flag off), except that its
 * ids are only generated if something asks for them (a child span, a propagator, a log line).
 * Active in a handler, it makes every span started there unsampled too, as a dropped root would.
 */
export class UnsampledSpan implements Span {
  #context: SpanContext | undefined;

  spanContext(): SpanContext {
    this.#context ??= { traceId: nonZeroHex(4), spanId: nonZeroHex(2), traceFlags: TraceFlags.NONE };
    return this.#context;
  }
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return false;
  }
  recordException(): void {}
}
