import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { byPid, spread, startInstance, type Instance } from "./instance.ts";

const N = 1000;

describe("the access log of two workers sharing one stdout pipe", () => {
  let backend: TestBackend;
  let instance: Instance;
  before(async () => {
    backend = await startBackend("a");
    instance = await startInstance(
      [
        `server: { listen: "127.0.0.1:0", workers: 2 }`,
        `upstreams: { api: { backends: [{ url: "${backend.url}" }] } }`,
        "telemetry: { prometheus: { enabled: false } }",
        "logging: { level: info, accessLog: true }",
      ].join("\n"),
    );
  });
  after(async () => {
    await instance.stop();
    await backend.kill();
  });

  it(`${N} requests, then SIGTERM: exactly ${N} whole access lines, none cut into another`, async (t) => {
    const bodies = await spread(`${instance.url}/x`, N, 16);
    assert.deepEqual([...bodies], [["a", N]]);
    assert.equal(await instance.stop(), 0);

    // Every line of the shared pipe must be one JSON object: two writes interleaved mid-line are not.
    const raw = instance.cli.stdout();
    assert.ok(raw.endsWith("\n"), "the output ends with a whole line");
    const lines = raw.slice(0, -1).split("\n");
    const broken = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== "object";
      } catch {
        return true;
      }
    });
    assert.deepEqual(broken, []);
    const access = instance.access();
    assert.equal(access.length, N);
    const perWorker = byPid(access);
    assert.deepEqual([...perWorker.keys()].sort(), [...instance.workers.values()].sort());
    for (const line of access) assert.equal(line["status"], 200);
    t.diagnostic(
      `access lines per worker: ${JSON.stringify(Object.fromEntries(perWorker))}, ${lines.length} lines in all`,
    );
  });
});
