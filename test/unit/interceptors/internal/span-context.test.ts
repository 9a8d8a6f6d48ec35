import assert from "node:assert/strict";
import { test } from "node:test";
import { context, createContextKey, ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { contextWithSpan } from "../../../../interceptors/internal/span-context.ts";

const OTHER = createContextKey("span-context test: another value");
const span = trace.wrapSpanContext({
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  traceFlags: TraceFlags.NONE,
});

void test("contextWithSpan reads, derives and activates as trace.setSpan's context does", async () => {
  const parent = ROOT_CONTEXT.setValue(OTHER, "kept");
  const made = contextWithSpan(parent, span);
  assert.equal(trace.getSpan(made), span);
  assert.equal(made.getValue(OTHER), "kept");
  assert.equal(trace.getSpan(parent), undefined, "the parent is not changed");

  const derived = made.setValue(OTHER, "changed");
  assert.equal(trace.getSpan(derived), span);
  assert.equal(derived.getValue(OTHER), "changed");
  assert.equal(made.getValue(OTHER), "kept");

  const withoutSpan = trace.deleteSpan(made);
  assert.equal(trace.getSpan(withoutSpan), undefined);
  assert.equal(withoutSpan.getValue(OTHER), "kept");

  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  try {
    const seen = await context.with(made, async () => {
      await Promise.resolve();
      return [trace.getActiveSpan(), context.active().getValue(OTHER)];
    });
    assert.deepEqual(seen, [span, "kept"]);
  } finally {
    context.disable();
  }
});
