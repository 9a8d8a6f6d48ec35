import type { Tracer, TracerProvider } from "@opentelemetry/api";
import { TracewaySampler } from "../traceway-sampler.ts";

/**
 * What an interceptor may assume about the sampler that decides its spans:
 *
 * - `noop`: no tracing SDK is behind the provider; every span would be the API's no-op span.
 * - `parent-based`: the SDK's `ParentBasedSampler` with its default delegates (a child follows
 *   its parent's sampled flag, local or remote) over `TraceIdRatioBased(rootRatio)`,
 *   `AlwaysOn` (1) or `AlwaysOff` (0). It reads neither span name, attributes nor links, so the
 *   interceptor may leave them out of `startSpan` and skip spans under an unsampled parent.
 *   `roots` is set when it is a {@link TracewaySampler}, which also decides roots up front.
 * - `unknown`: anything else; every span goes through `startSpan` with its sampling attributes.
 */
export type SamplerKnowledge =
  | { readonly kind: "noop" }
  | { readonly kind: "parent-based"; readonly rootRatio: number; readonly roots?: TracewaySampler }
  | { readonly kind: "unknown" };

const NOOP: SamplerKnowledge = { kind: "noop" };
const UNKNOWN: SamplerKnowledge = { kind: "unknown" };

/** The SDK's `toString()` of a ParentBasedSampler whose four parent delegates are the defaults. */
const DEFAULT_PARENT_BASED =
  /^ParentBased\{root=(AlwaysOnSampler|AlwaysOffSampler|TraceIdRatioBased\{([0-9.e+-]+)\}), remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler\}$/;

function className(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const name: unknown = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
    ?.constructor?.name;
  return typeof name === "string" ? name : undefined;
}

/**
 * Recognises a sampler by its exact class name (a subclass, which may override `shouldSample`,
 * has its own) and by the description the SDK's samplers give of themselves, which names every
 * delegate. Anything not recognised is `unknown`.
 */
export function samplerKnowledgeOf(sampler: unknown): SamplerKnowledge {
  // An instance of this very class (not a look-alike from another copy of traceway): its root
  // decisions are only honoured for the context key of this module.
  if (sampler instanceof TracewaySampler && className(sampler) === "TracewaySampler")
    return { kind: "parent-based", rootRatio: sampler.ratio, roots: sampler };
  if (className(sampler) !== "ParentBasedSampler") return UNKNOWN;
  const match = DEFAULT_PARENT_BASED.exec(String(sampler));
  if (match === null) return UNKNOWN;
  if (match[1] === "AlwaysOnSampler") return { kind: "parent-based", rootRatio: 1 };
  if (match[1] === "AlwaysOffSampler") return { kind: "parent-based", rootRatio: 0 };
  const ratio = Number(match[2]);
  return Number.isFinite(ratio) && ratio >= 0 && ratio <= 1
    ? { kind: "parent-based", rootRatio: ratio }
    : UNKNOWN;
}

/**
 * The sampler of an SDK tracer. The SDK keeps it in the tracer's `_sampler` field and offers no
 * public accessor; when the field is missing or holds something unrecognised, the answer is
 * `unknown` and the interceptor simply asks the tracer for every span, which is always correct.
 */
function knowledgeOfProvider(provider: TracerProvider, scope: string): SamplerKnowledge {
  const name = className(provider);
  if (name === "NoopTracerProvider") return NOOP;
  let tracer: Tracer;
  try {
    tracer = provider.getTracer(scope);
  } catch {
    return UNKNOWN;
  }
  if (className(tracer) === "NoopTracer") return NOOP;
  return samplerKnowledgeOf((tracer as { _sampler?: unknown })._sampler);
}

interface DelegatingProvider extends TracerProvider {
  getDelegate(): TracerProvider;
}

function isDelegating(provider: TracerProvider): provider is DelegatingProvider {
  return typeof (provider as Partial<DelegatingProvider>).getDelegate === "function";
}

/**
 * The {@link SamplerKnowledge} of one tracer provider, kept current cheaply: the API's global
 * provider is a proxy whose SDK may be registered after the interceptor was created, so the
 * delegate is compared by identity on each call and the sampler re-read only when it changed.
 */
export class KnownSampler {
  readonly #provider: TracerProvider;
  readonly #scope: string;
  #delegate: TracerProvider | undefined;
  #knowledge: SamplerKnowledge = UNKNOWN;

  constructor(provider: TracerProvider, scope: string) {
    this.#provider = provider;
    this.#scope = scope;
    if (!isDelegating(provider)) this.#knowledge = knowledgeOfProvider(provider, scope);
  }

  current(): SamplerKnowledge {
    const provider = this.#provider;
    if (!isDelegating(provider)) return this.#knowledge;
    const delegate = provider.getDelegate();
    if (delegate !== this.#delegate) {
      this.#delegate = delegate;
      this.#knowledge = knowledgeOfProvider(delegate, this.#scope);
    }
    return this.#knowledge;
  }
}
