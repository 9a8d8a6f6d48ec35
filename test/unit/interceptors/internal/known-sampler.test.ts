import assert from "node:assert/strict";
import { test } from "node:test";
import { ProxyTracerProvider } from "@opentelemetry/api";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { Sampler } from "@opentelemetry/sdk-trace";
import { KnownSampler, samplerKnowledgeOf } from "../../../../interceptors/internal/known-sampler.ts";
import { TracewaySampler } from "../../../../interceptors/index.ts";

class AttributeReadingSampler extends ParentBasedSampler {
  override shouldSample(...args: Parameters<Sampler["shouldSample"]>) {
    return super.shouldSample(...args);
  }
}

void test("only the SDK's parent-based sampler with default delegates, or TracewaySampler, is known", () => {
  const ratio = (r: number) => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(r) });
  assert.deepEqual(samplerKnowledgeOf(ratio(0.25)), { kind: "parent-based", rootRatio: 0.25 });
  assert.deepEqual(samplerKnowledgeOf(new ParentBasedSampler({ root: new AlwaysOnSampler() })), {
    kind: "parent-based",
    rootRatio: 1,
  });
  assert.deepEqual(samplerKnowledgeOf(new ParentBasedSampler({ root: new AlwaysOffSampler() })), {
    kind: "parent-based",
    rootRatio: 0,
  });
  const traceway = new TracewaySampler({ ratio: 0.1 });
  assert.deepEqual(samplerKnowledgeOf(traceway), { kind: "parent-based", rootRatio: 0.1, roots: traceway });
  for (const [why, sampler] of [
    ["not parent-based", new TraceIdRatioBasedSampler(0.5)],
    ["always on", new AlwaysOnSampler()],
    ["a subclass may read anything", new AttributeReadingSampler({ root: new AlwaysOnSampler() })],
    [
      "a non-default delegate",
      new ParentBasedSampler({ root: new AlwaysOnSampler(), remoteParentNotSampled: new AlwaysOnSampler() }),
    ],
    ["not a sampler", { toString: () => "ParentBased{root=AlwaysOnSampler}" }],
  ] as const) {
    assert.deepEqual(samplerKnowledgeOf(sampler), { kind: "unknown" }, why);
  }
});

void test("a global proxy is re-read when its SDK is registered after the interceptor was made", () => {
  const proxy = new ProxyTracerProvider();
  const known = new KnownSampler(proxy, "scope");
  assert.deepEqual(known.current(), { kind: "noop" }, "no SDK yet: every span would be a no-op");
  proxy.setDelegate(
    new TracerProvider({ sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.5) }) }),
  );
  assert.deepEqual(known.current(), { kind: "parent-based", rootRatio: 0.5 });
  const direct = new KnownSampler(new TracerProvider({ sampler: new AlwaysOnSampler() }), "scope");
  assert.deepEqual(direct.current(), { kind: "unknown" });
});
