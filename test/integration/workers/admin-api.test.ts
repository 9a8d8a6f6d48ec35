import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { byPid, spread, startInstance, type Instance, type LogLine } from "./instance.ts";

const TOKEN = "workers-admin-token-0123456789abcdef";
const N = 200;

interface BackendView {
  readonly name: string;
  readonly state: string;
  readonly override: Record<string, unknown> | null;
  readonly lastMinute: { readonly requests: number };
}

describe("the admin API of a two-worker instance is the primary's, over the shared state", () => {
  let a: TestBackend;
  let b: TestBackend;
  let instance: Instance;
  let adminUrl: string;
  let sent = 0;
  before(async () => {
    [a, b] = await Promise.all([startBackend("a"), startBackend("b")]);
    instance = await startInstance(
      [
        `server: { listen: "127.0.0.1:0", workers: 2 }`,
        `admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }`,
        `upstreams: { api: { backends: [{ url: "${a.url}" }, { url: "${b.url}" }] } }`,
        "telemetry: { prometheus: { enabled: false } }",
        "logging: { level: info, accessLog: true }",
      ].join("\n"),
    );
    const listening = await instance.waitForLine((l) => l.msg === "admin API listening", "the admin API");
    adminUrl = listening["listen_url"] as string;
  });
  after(async () => {
    await instance.stop();
    await Promise.all([a.kill(), b.kill()]);
  });

  const admin = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${adminUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const backends = async (): Promise<BackendView[]> => {
    const res = await admin("GET", "/upstreams/api");
    assert.equal(res.status, 200);
    return ((await res.json()) as { backends: BackendView[] }).backends;
  };
  /** `count` requests over fresh connections; the access lines of each, once written. */
  const serve = async (count: number): Promise<{ bodies: Map<string, number>; lines: LogLine[] }> => {
    const mark = sent;
    sent += count;
    const bodies = await spread(`${instance.url}/x`, count, 8);
    return { bodies, lines: await instance.accessAfter(mark, count) };
  };
  const label = (backend: TestBackend) => `127.0.0.1:${backend.port}`;

  it("one admin listener, the primary's; no worker opens one", () => {
    const lines = instance.lines().filter((l) => l.msg === "admin API listening");
    assert.deepEqual(
      lines.map((l) => l.pid),
      [instance.primary],
    );
  });

  it(`a read adds up what both workers served: ${N} requests over the two backends`, async () => {
    const { lines } = await serve(N);
    assert.equal(byPid(lines).size, 2, "both workers served");
    const views = await waitFor(
      async () => {
        const v = await backends();
        return v.reduce((sum, x) => sum + x.lastMinute.requests, 0) === N ? v : undefined;
      },
      { what: `the admin API to count ${N} requests` },
    );
    for (const backend of [a, b]) {
      const view = views.find((v) => v.name === label(backend));
      assert.equal(view?.lastMinute.requests, backend.requests.length, label(backend));
    }
  });

  it("a PATCH disabling a backend reaches every worker, and DELETE .../override puts it back in all", async () => {
    const res = await admin("PATCH", `/upstreams/api/backends/${label(a)}`, { enabled: false });
    assert.equal(res.status, 200);
    const changed = (await res.json()) as { backend: BackendView };
    assert.equal(changed.backend.state, "disabled");

    const aBefore = a.requests.length;
    const off = await serve(N);
    assert.deepEqual([...off.bodies], [["b", N]], "no worker sends to a disabled backend");
    assert.equal(a.requests.length, aBefore);
    assert.equal(byPid(off.lines).size, 2, "both workers served, both without a");
    const view = (await backends()).find((v) => v.name === label(a));
    assert.deepEqual(view?.override, { enabled: false });

    assert.equal((await admin("DELETE", `/upstreams/api/backends/${label(a)}/override`)).status, 200);
    const on = await serve(N);
    const toA = on.lines.filter((l) => l["backend"] === label(a));
    assert.equal(byPid(toA).size, 2, "both workers send to a again");
  });
});
