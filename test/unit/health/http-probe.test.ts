import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, test } from "node:test";
import { PROBE_USER_AGENT, probeHttp } from "../../../src/health/http-probe.ts";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";

const backends: TestBackend[] = [];
after(async () => {
  await Promise.all(backends.map((b) => b.kill()));
});

async function backend(status: number | "never"): Promise<TestBackend> {
  const b = await startBackend(`s${status}`, (req, res) => {
    req.resume();
    if (status !== "never") res.writeHead(status).end("body that is not read");
  });
  backends.push(b);
  return b;
}

const signal = new AbortController().signal;

void test("probe reports the status line and sends Host, User-Agent and Connection: close", async () => {
  const b = await backend(503);
  const result = await probeHttp(new URL("/healthz?x=1", b.url), 1000, signal);
  assert.deepEqual(result, { status: 503 });
  const req = b.requests[0] as IncomingMessage;
  assert.equal(req.method, "GET");
  assert.equal(req.url, "/healthz?x=1");
  assert.equal(req.headers.host, `127.0.0.1:${b.port}`);
  assert.equal(req.headers["user-agent"], PROBE_USER_AGENT);
  assert.equal(req.headers.connection, "close");
});

void test("probe of a closed port reports ECONNREFUSED", async () => {
  const port = await closedPort();
  assert.deepEqual(await probeHttp(new URL(`http://127.0.0.1:${port}/`), 1000, signal), {
    error: "ECONNREFUSED",
  });
});

void test("probe of a server that never answers settles with a timeout and closes its socket", async () => {
  const b = await backend("never");
  const result = await probeHttp(new URL("/", b.url), 100, signal);
  assert.deepEqual(result, { error: "timeout after 100ms" });
  await waitFor(
    () => new Promise<boolean>((resolve) => b.server.getConnections((_e, n) => resolve(n === 0))),
    { what: "the timed-out probe's connection to close", timeoutMs: 2000, intervalMs: 10 },
  );
});

void test("aborting a probe settles it at once as aborted", async () => {
  const b = await backend("never");
  const controller = new AbortController();
  const pending = probeHttp(new URL("/", b.url), 10_000, controller.signal);
  await waitFor(() => b.requests.length === 1, { what: "the probe to arrive", intervalMs: 10 });
  controller.abort();
  assert.deepEqual(await pending, { error: "aborted" });
  assert.deepEqual(await probeHttp(new URL("/", b.url), 10_000, controller.signal), { error: "aborted" });
});
