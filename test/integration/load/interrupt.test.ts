import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import type { LoadReport } from "../../../src/load/types.ts";

let server: TestBackend;
let dir: string;
before(async () => {
  server = await startBackend("fast");
  dir = await mkdtemp(join(tmpdir(), "traceway-load-"));
});
after(async () => {
  await server.kill();
  await rm(dir, { recursive: true, force: true });
});

test("Ctrl-C during step 2 writes the reports of the finished step and exits 130", async () => {
  const json = join(dir, "report.json");
  const html = join(dir, "report.html");
  const cli = startCli([
    "load",
    `${server.url}/`,
    "--steps",
    "1,2,3",
    "--step-duration",
    "2s",
    "--warmup",
    "0",
    "--json",
    json,
    "--report",
    html,
  ]);
  // The first summary row on stdout means step 1 is finished and step 2 is running.
  await cli.waitForOutput(/^1 +1 conns /m, "step 1's row");
  cli.child.kill("SIGINT");
  assert.equal(await cli.exited, 130, cli.stderr());
  assert.match(cli.stderr(), /interrupted: finishing the requests in flight/);
  const report = JSON.parse(await readFile(json, "utf8")) as LoadReport;
  assert.deepEqual(
    report.steps.map((s) => s.level),
    [1],
  );
  assert.equal(report.interrupted, true);
  assert.equal(report.stoppedBy, "interrupt");
  assert.ok(report.steps[0]!.requests > 0);
  assert.match(await readFile(html, "utf8"), /^<!doctype html>/);
});
