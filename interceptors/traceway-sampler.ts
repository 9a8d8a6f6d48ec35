import { createContextKey, isSpanContextValid, SamplingDecision, trace } from "@opentelemetry/api";
import type { Attributes, Context, Link, SpanKind } from "@opentelemetry/api";
import { ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace";
import type { Sampler, SamplingResult } from "@opentelemetry/sdk-trace";

/** Options of {@link TracewaySampler}. */
export interface TracewaySamplerOptions {
  /** Fraction of root spans (traces started here) that are sampled, 0 to 1. */
  readonly ratio: number;
  /** Uniform float in [0, 1) for root decisions; defaults to `Math.random`. */
  readonly random?: () => number;
}

/** Set by the interceptors on the context of a root span {@link TracewaySampler.sampleRoot} kept. */
const ROOT_SAMPLED = createContextKey("traceway.sampler.root-sampled");
const SAMPLED: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED };

/**
 * The OpenTelemetry SDK's `ParentBased(TraceIdRatioBased(ratio))` sampler with its default
 * delegates (a child span follows its parent's sampled flag; a root span is sampled at `ratio`),
 * plus one thing the SDK's cannot do: traceway's interceptors can ask it for a root decision
 * *before* creating the span ({@link sampleRoot}). Given to a tracer provider (`new NodeSDK({
 * sampler })`, `new TracerProvider({ sampler })`), it lets `instrumentConsumer` skip the span,
 * its ids and the sampler call for every unsampled message that starts a trace (a message whose
 * producer sent no trace context), which is most of what tracing costs a fast consumer at low
 * ratios. With the SDK's own sampler only children of unsampled parents can be skipped: a root
 * decision there is taken on a trace id the SDK generates inside `startSpan`.
 *
 * Roots are decided by a random draw rather than by their trace id; like the SDK's sampler it
 * is consistent within a trace (children follow the flag), not across independently sampled
 * services.
 */
export class TracewaySampler implements Sampler {
  readonly ratio: number;
  readonly #random: () => number;
  readonly #parentBased: ParentBasedSampler;

  constructor(options: TracewaySamplerOptions) {
    const ratio = Number(options.ratio);
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new RangeError(
        `TracewaySampler: ratio must be a number from 0 to 1, got ${String(options.ratio)}`,
      );
    }
    this.ratio = ratio;
    this.#random = options.random ?? Math.random;
    this.#parentBased = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }

  /**
   * Decides whether a root span would be sampled. When `true`, start it with
   * {@link rootSampledContext}, which this sampler then samples; when `false`, no span is needed.
   */
  sampleRoot(): boolean {
    return this.ratio >= 1 || (this.ratio > 0 && this.#random() < this.ratio);
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (context.getValue(ROOT_SAMPLED) === true) {
      const parent = trace.getSpanContext(context);
      if (parent === undefined || !isSpanContextValid(parent)) return SAMPLED;
    }
    return this.#parentBased.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `TracewaySampler{ratio=${this.ratio}}`;
  }
}

/** `context` marked so that a {@link TracewaySampler} samples the root span started in it. */
export function rootSampledContext(context: Context): Context {
  return context.setValue(ROOT_SAMPLED, true);
}
