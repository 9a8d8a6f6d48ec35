import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { byPid, spread, startInstance, type Instance, type LogLine } from "./instance.ts";

const REQUESTS = 100;

const configFor = (api: TestBackend, web: TestBackend | undefined, workers = 2): string =>
  [
    `server: { listen: "127.0.0.1:0", workers: ${workers} }`,
    "upstreams:",
    `  api: { backends: [{ url: "${api.url}" }] }`,
    ...(web ? [`  web: { backends: [{ url: "${web.url}" }] }`] : []),
    "routes:",
    ...(web ? ['  - { match: { pathPrefix: "/new" }, upstream: web }'] : []),
    '  - { match: { pathPrefix: "/" }, upstream: api }',
    "telemetry: { prometheus: { enabled: false } }",
    "logging: { level: info, accessLog: true }",
  ].join("\n");

describe("reloads apply to every worker", () => {
  let a: TestBackend;
  let b: TestBackend;
  let c: TestBackend;
  let instance: Instance;
  before(async () => {
    [a, b, c] = (await Promise.all(["a", "b", "c"].map((n) => startBackend(n)))) as [
      TestBackend,
      TestBackend,
      TestBackend,
    ];
    instance = await startInstance(configFor(a, undefined));
  });
  after(async () => {
    await instance.stop();
    await Promise.all([a, b, c].map((x) => x.kill()));
  });

  /** Sends REQUESTS over fresh connections to `path`; returns the bodies and the workers that served them. */
  async function serve(path: string): Promise<{ bodies: [string, number][]; workers: number }> {
    const mark = instance.access().length;
    const bodies = [...(await spread(`${instance.url}${path}`, REQUESTS, 8))];
    return { bodies, workers: byPid(await instance.accessAfter(mark, REQUESTS)).size };
  }

  const applied = (reason: string) => (l: LogLine) =>
    l.msg === "configuration applied" && l["reason"] === reason && l.pid === instance.primary;

  it("a changed file: new backends and a new route, served by both workers", async () => {
    const mark = instance.lines().length;
    await writeFile(instance.file, configFor(b, c));
    await instance.waitForLine(applied("file changed"), "the reload after the file changed", mark);
    assert.deepEqual(await serve("/x"), { bodies: [["b", REQUESTS]], workers: 2 });
    assert.deepEqual(await serve("/new/x"), { bodies: [["c", REQUESTS]], workers: 2 });
  });

  it("SIGHUP re-reads the file for every worker", async () => {
    await writeFile(instance.file, configFor(a, undefined));
    const mark = instance.lines().length;
    instance.cli.child.kill("SIGHUP");
    await instance.waitForLine(applied("SIGHUP"), "the reload on SIGHUP", mark);
    assert.deepEqual(await serve("/x"), { bodies: [["a", REQUESTS]], workers: 2 });
    assert.deepEqual(
      await serve("/new/x"),
      { bodies: [["a", REQUESTS]], workers: 2 },
      "the removed route is gone",
    );
  });

  it("a file asking for another number of workers is refused whole, naming the key", async () => {
    const mark = instance.lines().length;
    await writeFile(instance.file, configFor(b, undefined, 3));
    instance.cli.child.kill("SIGHUP");
    const refused = await instance.waitForLine(
      (l) => l.msg === "new configuration rejected; keeping the old one" && l["reason"] === "SIGHUP",
      "the refusal",
      mark,
    );
    assert.deepEqual(refused["problems"], [
      {
        path: "server.workers",
        message:
          "changing the number of processes needs a restart (running 2, the file asks for 3); nothing of this file was applied",
      },
    ]);
    assert.deepEqual(await serve("/x"), { bodies: [["a", REQUESTS]], workers: 2 });
    assert.equal(
      instance.lines().filter((l) => l.msg === "worker listening").length,
      2,
      "no worker was added",
    );
  });
});
