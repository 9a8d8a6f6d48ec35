import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { STREAM_EVENT_SCHEMAS } from "../../../src/admin/openapi.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad } from "../../helpers/load-loop.ts";
import { connectEvents, type SseClient } from "../../helpers/sse-client.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { adminCall, adminYaml, AUTH } from "./admin-fixture.ts";

// The OpenAPI document served at /api/v1/openapi.json describes what the API really answers: every
// endpoint's responses (successes and errors) and every kind of stream event are validated against
// the schemas the document gives for them.

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
};

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
let doc: Doc;
let ajv: Ajv2020;
let a: TestBackend;
let c: TestBackend;
let flaky: TestBackend;
let traceway: TracewayCli;
let events: SseClient;
let dir: string;
let removeDir: () => Promise<void>;
let checked = 0;

function validate(path: string, method: string, status: number, body: unknown): void {
  const schema = doc.paths[path]?.[method]?.responses[String(status)]?.content?.["application/json"]?.schema;
  assert.ok(schema, `the document has no ${method.toUpperCase()} ${path} ${status} response`);
  const check = ajv.compile({ $ref: `openapi.json${(schema as { $ref: string }).$ref}` });
  assert.ok(
    check(body),
    `${method.toUpperCase()} ${path} ${status}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(body).slice(0, 2000)}`,
  );
  checked++;
}

function yaml(backends: readonly TestBackend[]): string {
  return adminYaml(
    backends,
    `    healthCheck: { path: /healthz, interval: 300ms, timeout: 200ms, unhealthyThreshold: 1, healthyThreshold: 1 }
    passive: { maxFails: 1, failTimeout: 30s }
    retry: { tries: 3, on: [error, timeout] }
    canary:
      backends: [{ url: "${c.url}" }]
      steps: [50, 100]
      interval: 1s
      analysis: { minRequests: 1 }
      confirmPromotion: true
`,
  );
}

before(async () => {
  a = await startBackend("a");
  c = await startBackend("c");
  // Passes health checks, resets every proxied request: passive health ejects it.
  flaky = await startBackend("flaky", (req, res) => {
    if (req.url === "/healthz") res.end("ok");
    else req.socket.destroy();
  });
  ({ dir, remove: removeDir } = await scratchDir());
  traceway = await startTracewayCli(join(dir, "traceway.yaml"), yaml([a, flaky]));
  events = await connectEvents(`${traceway.adminUrl}/api/v1/events`, AUTH);
  const served = await fetch(`${traceway.adminUrl}/api/v1/openapi.json`);
  doc = (await served.json()) as Doc;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, "openapi.json");
});

after(async () => {
  events?.close();
  await traceway?.stop();
  for (const b of [a, c, flaky]) await b?.kill();
  await removeDir?.();
});

test("every endpoint's real responses match the document", async () => {
  await runLoad({ url: traceway.url, count: 200, maxMs: 20_000, concurrency: 4 });
  const admin = traceway.adminUrl!;
  const call = async (
    method: string,
    template: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => {
    const r = await adminCall(admin, method.toUpperCase(), path, body, headers);
    validate(template, method, r.status, r.body);
    return r;
  };
  const name = a.url.slice(7);
  await call("get", "/api/v1/upstreams", "/api/v1/upstreams");
  await call("get", "/api/v1/upstreams/{upstream}", "/api/v1/upstreams/api");
  await call("get", "/api/v1/upstreams/{upstream}", "/api/v1/upstreams/nope");
  await call(
    "get",
    "/api/v1/upstreams/{upstream}/backends/{backend}",
    `/api/v1/upstreams/api/backends/${name}`,
  );
  await call(
    "get",
    "/api/v1/upstreams/{upstream}/backends/{backend}",
    `/api/v1/upstreams/api/backends/${encodeURIComponent(a.url)}`,
  );
  await call(
    "patch",
    "/api/v1/upstreams/{upstream}/backends/{backend}",
    `/api/v1/upstreams/api/backends/${name}`,
    { weight: 4, drain: false },
  );
  await call(
    "patch",
    "/api/v1/upstreams/{upstream}/backends/{backend}",
    `/api/v1/upstreams/api/backends/${name}`,
    { weight: 4000 },
  );
  await call(
    "patch",
    "/api/v1/upstreams/{upstream}/backends/{backend}",
    `/api/v1/upstreams/api/backends/${name}`,
    { weight: 4 },
    {},
  );
  await call(
    "delete",
    "/api/v1/upstreams/{upstream}/backends/{backend}/override",
    `/api/v1/upstreams/api/backends/${name}/override`,
  );
  await call("get", "/api/v1/upstreams/{upstream}/canary", "/api/v1/upstreams/api/canary");
  await call("post", "/api/v1/upstreams/{upstream}/canary", "/api/v1/upstreams/api/canary", {
    action: "pause",
  });
  await call("post", "/api/v1/upstreams/{upstream}/canary", "/api/v1/upstreams/api/canary", {
    action: "pause",
  });
  await call("post", "/api/v1/upstreams/{upstream}/canary", "/api/v1/upstreams/api/canary", {
    action: "stop",
  });
  await call("post", "/api/v1/upstreams/{upstream}/canary", "/api/v1/upstreams/api/canary", {
    action: "resume",
  });
  await call("post", "/api/v1/upstreams/{upstream}/canary/promote", "/api/v1/upstreams/api/canary/promote");
  await call("post", "/api/v1/upstreams/{upstream}/canary/promote", "/api/v1/upstreams/api/canary/promote");
  await call("post", "/api/v1/upstreams/{upstream}/canary", "/api/v1/upstreams/api/canary", {
    action: "restart",
  });
  await call("post", "/api/v1/upstreams/{upstream}/canary/abort", "/api/v1/upstreams/api/canary/abort");
  await call("get", "/api/v1/upstreams/{upstream}/canary", "/api/v1/upstreams/api/canary");
  assert.ok(checked >= 19);
});

test("every kind of stream event matches its schema in the document", async () => {
  // The previous test aborted the canary, perhaps before its first 1 s interval was analysed:
  // a restarted run under this test's traffic gives the analysis and canary events for sure.
  const restart = await adminCall(traceway.adminUrl!, "POST", "/api/v1/upstreams/api/canary", {
    action: "restart",
  });
  assert.equal(restart.status, 200, JSON.stringify(restart.body));
  // health and ejection: the flaky backend is ejected by passive health; then a reload that
  // drops it (members, reload) and adds a dead one the active checker marks down (health).
  await runLoad({ url: traceway.url, count: 50, maxMs: 20_000, concurrency: 2 });
  await events.next("ejection", () => true, "an ejection event");
  await runLoad({
    url: traceway.url,
    count: 400,
    maxMs: 20_000,
    concurrency: 2,
    until: () => events.events.some((e) => e.event === "analysis"),
  });
  await events.next("analysis", () => true, "an analysis of the restarted canary");
  const dead = await startBackend("dead");
  await dead.kill();
  await writeFile(traceway.configFile, yaml([a, dead]));
  await events.next("reload", () => true, "a reload event");
  await events.next("members", () => true, "a members event");
  await events.next("health", (e: { up: boolean }) => !e.up, "a health event");
  const kinds = Object.keys(STREAM_EVENT_SCHEMAS);
  await waitFor(() => kinds.every((k) => events.events.some((e) => e.event === k)), {
    what: `one event of each kind (${kinds.join(", ")})`,
  });
  for (const event of events.events) {
    const schema = STREAM_EVENT_SCHEMAS[event.event as keyof typeof STREAM_EVENT_SCHEMAS];
    assert.ok(schema, `unknown event ${event.event}`);
    const check = ajv.compile({ $ref: `openapi.json#/components/schemas/${schema}` });
    assert.ok(
      check(event.data),
      `${event.event}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(event.data).slice(0, 1500)}`,
    );
  }
  const ids = events.events.map((e) => Number(e.id));
  assert.deepEqual(
    ids,
    [...ids].sort((x, y) => x - y),
    "ids increase",
  );
});
