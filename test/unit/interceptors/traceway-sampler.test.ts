import assert from "node:assert/strict";
import { test } from "node:test";
import { ROOT_CONTEXT, SamplingDecision, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import { rootSampledContext, TracewaySampler } from "../../../interceptors/traceway-sampler.ts";

const SAMPLED_TRACE = "00000000000000000000000000000001"; // accumulates to 1: under any ratio > 0
const DROPPED_TRACE = "ffffffff000000000000000000000000"; // accumulates to 2^32 − 1: over any ratio < 1

function decide(sampler: TracewaySampler, context = ROOT_CONTEXT, traceId = DROPPED_TRACE): SamplingDecision {
  return sampler.shouldSample(context, traceId, "s", SpanKind.CONSUMER, {}, []).decision;
}

void test("decides like ParentBased(TraceIdRatioBased(ratio)); sampleRoot draws from its random source", () => {
  const draws = [0.05, 0.5, 0.0999, 0.1];
  const sampler = new TracewaySampler({ ratio: 0.1, random: () => draws.shift() ?? 1 });
  assert.deepEqual(
    [sampler.sampleRoot(), sampler.sampleRoot(), sampler.sampleRoot(), sampler.sampleRoot()],
    [true, false, true, false],
  );
  assert.equal(decide(sampler, ROOT_CONTEXT, SAMPLED_TRACE), SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(decide(sampler), SamplingDecision.NOT_RECORD, "a root, by trace id, as the SDK's");
  const unsampledParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: TraceFlags.NONE,
    isRemote: true,
  });
  assert.equal(
    decide(sampler, unsampledParent, SAMPLED_TRACE),
    SamplingDecision.NOT_RECORD,
    "follows its parent",
  );
  assert.equal(String(sampler), "TracewaySampler{ratio=0.1}");
});

void test("a root decided up front is sampled; the mark does nothing under a parent", () => {
  const sampler = new TracewaySampler({ ratio: 0.1 });
  assert.equal(decide(sampler, rootSampledContext(ROOT_CONTEXT)), SamplingDecision.RECORD_AND_SAMPLED);
  const unsampledParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: TraceFlags.NONE,
  });
  assert.equal(decide(sampler, rootSampledContext(unsampledParent)), SamplingDecision.NOT_RECORD);
});

void test("a ratio outside 0..1 is refused with the value", () => {
  assert.throws(() => new TracewaySampler({ ratio: 1.5 }), /ratio must be a number from 0 to 1, got 1\.5/);
  assert.throws(() => new TracewaySampler({ ratio: Number.NaN }), /got NaN/);
});
