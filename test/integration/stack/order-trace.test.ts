import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, test } from "node:test";
import { findTrace } from "../../helpers/jaeger.ts";
import type { JaegerSpan } from "../../helpers/jaeger.ts";
import { durationLine, ensureStack, readLogLines } from "../../helpers/stack.ts";
import type { Stack } from "../../helpers/stack.ts";
import { waitFor } from "../../helpers/wait-for.ts";

// One order through the whole stack: client → traceway (SERVER, CLIENT) → a Gin instance (SERVER,
// PRODUCER `send orders`) → Kafka → a worker (CONSUMER `process orders`), one trace in the stack's
// Jaeger, and its trace id in the JSON log lines of all three programs.
let stack: Stack;
/** Exporters batch, so the spans of one trace reach Jaeger in any order: wait for each kind. */
const EXPECTED = [
  ["traceway", "server"],
  ["traceway", "client"],
  ["gin-service", "server"],
  ["gin-service", "producer"],
  ["kafka-worker", "consumer"],
] as const;
const startedMs = Date.now();

before(async () => void (stack = await ensureStack()), { timeout: 1_800_000 });

function one(spans: JaegerSpan[], service: string, kind: JaegerSpan["kind"], name?: string): JaegerSpan {
  const found = spans.filter(
    (s) => s.serviceName === service && s.kind === kind && (name === undefined || s.name === name),
  );
  assert.equal(
    found.length,
    1,
    `one ${kind} span of ${service}${name === undefined ? "" : ` named ${name}`}: ${JSON.stringify(spans.map((s) => [s.serviceName, s.kind, s.name]))}`,
  );
  return found[0] as JaegerSpan;
}

test("POST /orders through traceway is one trace from the client to the Kafka consumer", async (t) => {
  const traceId = randomBytes(16).toString("hex");
  const response = await fetch(`${stack.traceway}/orders`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01`,
    },
    body: JSON.stringify({ sku: "sku-007", quantity: 2, customer: "trace-test" }),
  });
  const order = (await response.json()) as { id: string; published: boolean };
  assert.equal(response.status, 201, JSON.stringify(order));
  assert.equal(order.published, true);

  const spans = await waitFor(
    async () => {
      const found = await findTrace(traceId, stack.jaegerQuery);
      const has = (service: string, kind: string): boolean =>
        found.some((s) => s.serviceName === service && s.kind === kind);
      const complete = [...EXPECTED].every(([service, kind]) => has(service, kind));
      return complete ? found : undefined;
    },
    {
      what: `trace ${traceId} with ${JSON.stringify(EXPECTED)} in Jaeger`,
      timeoutMs: 60_000,
      intervalMs: 500,
    },
  );
  const server = one(spans, "traceway", "server");
  const client = one(spans, "traceway", "client");
  const gin = one(spans, "gin-service", "server", "POST /orders");
  const send = one(spans, "gin-service", "producer", "send orders");
  const process = one(spans, "kafka-worker", "consumer", "process orders");
  assert.ok(spans.every((s) => s.traceId === traceId));
  assert.equal(client.parentSpanId, server.spanId, "traceway's attempt is a child of its SERVER span");
  assert.equal(gin.parentSpanId, client.spanId, "the Gin SERVER span continues traceway's attempt");
  assert.equal(send.parentSpanId, gin.spanId, "the producer span is a child of the Gin SERVER span");
  assert.equal(process.parentSpanId, send.spanId, "the worker continues the context in the message headers");
  assert.equal(process.attributes["messaging.destination.name"], "orders");
  t.diagnostic(`trace ${traceId}: ${spans.map((s) => `${s.serviceName}/${s.kind}/${s.name}`).join(", ")}`);

  const instance = client.attributes["traceway.backend"];
  const lines = await waitFor(
    async () => {
      const found: Record<string, Record<string, unknown>> = {};
      for (const name of ["traceway", "gin-1", "gin-2", "gin-3", "kafka-worker-1", "kafka-worker-2"]) {
        const line = (await readLogLines(name)).find((l) => l["trace_id"] === traceId);
        if (line !== undefined) found[name.replace(/-\d$/, "")] = line;
      }
      return Object.keys(found).length === 3 ? found : undefined;
    },
    {
      what: `log lines with trace_id ${traceId} from traceway, a Gin instance and a worker`,
      timeoutMs: 20_000,
      intervalMs: 500,
    },
  );
  assert.equal(lines["traceway"]?.["service_name"], "traceway");
  assert.equal(lines["traceway"]?.["backend"], instance);
  assert.equal(lines["gin"]?.["service_name"], "gin-service");
  assert.equal(lines["kafka-worker"]?.["service_name"], "kafka-worker");
  assert.equal(lines["kafka-worker"]?.["order_id"], order.id);
  t.diagnostic(durationLine("order trace", startedMs));
});
