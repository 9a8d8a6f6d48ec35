import assert from "node:assert/strict";
import { test } from "node:test";
import { categoryOf, timeByCategory } from "../lib/cpu-profile.ts";
import type { CpuProfile } from "../lib/cpu-profile.ts";

const frame = (functionName: string, url = "") => ({ functionName, url });

test("categoryOf sorts frames into what a reader can act on", () => {
  const cases: [ReturnType<typeof frame>, string][] = [
    [frame("(idle)"), "idle"],
    [frame("(garbage collector)"), "GC"],
    [frame("(program)"), "V8 / native, unattributed ((program))"],
    [frame("writev"), "socket writes, string ↔ buffer (native)"],
    [frame("emit", "node:events"), "Node core: http server, net, streams, events, timers"],
    [frame("wrapSafe", "node:internal/modules/cjs/loader"), "start-up (module loading)"],
    [
      frame("_resume", "file:///x/node_modules/undici/lib/dispatcher/client.js"),
      "undici client (JS + llhttp)",
    ],
    [frame("wasm-function[20]", "wasm://wasm/00034eea"), "undici client (JS + llhttp)"],
    [
      frame("startSpan", "file:///x/node_modules/@opentelemetry/sdk-trace/dist/Tracer.mjs"),
      "telemetry: traceway's interceptors + OpenTelemetry SDK + logs",
    ],
    [
      frame("ClientCall", "file:///x/dist/interceptors/http/client-call.js"),
      "telemetry: traceway's interceptors + OpenTelemetry SDK + logs",
    ],
    [
      frame("end", "file:///x/dist/src/telemetry/proxy-observer.js"),
      "telemetry: traceway's interceptors + OpenTelemetry SDK + logs",
    ],
    [
      frame("runAttempts", "file:///x/dist/src/proxy/attempt-loop.js"),
      "the proxy's own code (traceway src/, or the peer)",
    ],
    [
      frame("handler", "file:///x/bench/peers/undici-peer.ts"),
      "the proxy's own code (traceway src/, or the peer)",
    ],
    [frame("parse", "file:///x/node_modules/yaml/dist/index.js"), "other npm packages"],
  ];
  for (const [f, expected] of cases) assert.equal(categoryOf(f), expected, `${f.functionName} ${f.url}`);
});

test("timeByCategory adds each sample's time to the category of the frame on top, over every profile", () => {
  const profile = (deltas: number[]): CpuProfile => ({
    nodes: [
      { id: 1, callFrame: frame("(idle)") },
      { id: 2, callFrame: frame("(garbage collector)") },
      { id: 3, callFrame: frame("writev") },
    ],
    samples: [1, 2, 3, 3],
    timeDeltas: deltas,
  });
  const totals = timeByCategory([profile([10, 20, 30, 40]), profile([1, 2, 3, 4])]);
  assert.equal(totals.get("idle"), 11);
  assert.equal(totals.get("GC"), 22);
  assert.equal(totals.get("socket writes, string ↔ buffer (native)"), 77);
  assert.equal(totals.get("undici client (JS + llhttp)"), 0);
});
