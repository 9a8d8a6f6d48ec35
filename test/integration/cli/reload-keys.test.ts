import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { waitFor } from "../../helpers/wait-for.ts";

interface FileOptions {
  readonly port: number;
  readonly backend: string;
  readonly level?: string;
  readonly metricsPort?: number;
  readonly format?: string;
}

const configFor = (o: FileOptions): string =>
  [
    `server: { listen: "127.0.0.1:${o.port}" }`,
    `upstreams: { api: { backends: [{ url: "${o.backend}" }] } }`,
    o.metricsPort === undefined
      ? "telemetry: { prometheus: { enabled: false } }"
      : `telemetry: { prometheus: { listen: "127.0.0.1:${o.metricsPort}" } }`,
    `logging: { level: ${o.level ?? "info"}, accessLog: false, format: ${o.format ?? "json"} }`,
  ].join("\n");

const count = (text: string, pattern: RegExp): number => text.match(new RegExp(pattern, "g"))?.length ?? 0;

describe("traceway --config FILE: what a reload applies and what it refuses", () => {
  let dir: string;
  let a: TestBackend;
  let b: TestBackend;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "traceway-reload-"));
    [a, b] = await Promise.all([startBackend("a"), startBackend("b")]);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await Promise.all([a.kill(), b.kill()]);
  });

  it("refuses a file that moves server.listen or the metrics listener or changes the log format, naming each; the old config serves on", async () => {
    const port = await closedPort();
    const metricsPort = await closedPort();
    const file = join(dir, "refused.yaml");
    await writeFile(file, configFor({ port, backend: a.url, metricsPort }));
    const cli = startCli(["--config", file]);
    try {
      await cli.waitForOutput(/traceway listening/, "the balancer listening");
      const moved = await closedPort();
      await writeFile(
        file,
        configFor({ port: moved, backend: b.url, metricsPort: moved + 1, format: "ecs" }),
      );
      await cli.waitForOutput(/new configuration rejected; keeping the old one/, "the refusal logged");
      const log = cli.stdout();
      assert.match(
        log,
        /"path":"server\.listen","message":"changes need a restart \(running \\"127\.0\.0\.1:\d+\\"/,
      );
      assert.match(log, /"path":"telemetry\.prometheus\.listen","message":"changes need a restart/);
      assert.match(
        log,
        /"path":"logging\.format","message":"changes need a restart \(running \\"json\\", file \\"ecs\\"/,
      );
      assert.doesNotMatch(log, /"@timestamp"/, "every line stays in the json layout");
      assert.equal(
        (await httpGet(`http://127.0.0.1:${port}/`)).body,
        "a",
        "the old listener and backend serve on",
      );
      assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status, 200);
    } finally {
      assert.equal(await cli.stop(), 0);
    }
  });

  it("applies logging.level at once: after a reload to warn, the next reload logs no info line", async () => {
    const port = await closedPort();
    const file = join(dir, "level.yaml");
    await writeFile(file, configFor({ port, backend: a.url }));
    const cli = startCli(["--config", file]);
    const url = `http://127.0.0.1:${port}/`;
    try {
      await cli.waitForOutput(/traceway listening/, "the balancer listening");
      await writeFile(file, configFor({ port, backend: b.url, level: "warn" }));
      await waitFor(async () => (await httpGet(url)).body === "b", { what: "the reload to backend b" });
      const applied = count(cli.stdout(), /"msg":"configuration applied"/);
      await writeFile(file, configFor({ port, backend: a.url, level: "warn" }));
      await waitFor(async () => (await httpGet(url)).body === "a", { what: "the reload to backend a" });
      assert.equal(
        count(cli.stdout(), /"msg":"configuration applied"/),
        applied,
        "no info line at level warn",
      );
      await writeFile(file, configFor({ port, backend: b.url, level: "info" }));
      await cli.waitForOutput(
        new RegExp(`("msg":"configuration applied"[^]*){${applied + 1}}`),
        "info lines again",
      );
    } finally {
      assert.equal(await cli.stop(), 0);
    }
  });
});
