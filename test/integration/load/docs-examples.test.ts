// @solo: docs/load-testing.md's Quick start and Thresholds examples run the load tool as written (100 connections, a p99 gate); another busy test file decides their rows and the gate instead of the demo
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import type { LoadReport } from "../../../src/load/types.ts";
import { RUNTIME_FLAGS } from "../../../src/run/runtime-flags.ts";
import { startCli, type CliProcess } from "../../helpers/cli-process.ts";
import { closedPort } from "../../helpers/http-backend.ts";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import {
  addScrapeTarget,
  ensureServices,
  PROMETHEUS_URL,
  REPO_ROOT,
  waitForScrape,
} from "../../helpers/services.ts";

/**
 * Every shell example of docs/load-testing.md, run by bash as written against the embedded demo,
 * with `traceway` being this checkout's CLI. Only addresses change: the demo's port, the test
 * Prometheus and the demo's scrape job.
 */
const DOC = join(REPO_ROOT, "docs", "load-testing.md");
const run = promisify(execFile);

let demo: CliProcess;
let demoPort: number;
let job: string;
let removeTarget: () => Promise<void>;
let cwd: string;

before(async () => {
  demoPort = await closedPort();
  const metricsPort = await closedPort();
  demo = startCli([], {
    TRACEWAY_DEMO_PORT: String(demoPort),
    TRACEWAY_DEMO_METRICS_PORT: String(metricsPort),
  });
  await demo.waitForOutput(/metrics:\s+http:\/\/\S+/, "the demo's URLs");
  await ensureServices("prometheus");
  job = `traceway-docs-${randomUUID().slice(0, 8)}`;
  removeTarget = await addScrapeTarget({ job, target: `127.0.0.1:${metricsPort}` });
  await waitForScrape(job);
  cwd = await mkdtemp(join(tmpdir(), "traceway-load-docs-"));
});
after(async () => {
  await removeTarget();
  await demo.stop();
  await rm(cwd, { recursive: true, force: true });
});

/** Runs the doc's first ```sh block under `heading` in bash; returns its exit code and output. */
async function example(heading: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = markdownBlock(DOC, heading, "sh")
    .replaceAll("127.0.0.1:8080", `127.0.0.1:${demoPort}`)
    .replaceAll("http://127.0.0.1:9090", PROMETHEUS_URL)
    .replaceAll(`job="traceway"`, `job="${job}"`);
  const cli = [process.execPath, ...RUNTIME_FLAGS, join(REPO_ROOT, "src", "cli.ts")]
    .map((a) => `'${a}'`)
    .join(" ");
  try {
    const { stdout, stderr } = await run("bash", ["-c", `traceway() { ${cli} "$@"; }\n${script}`], {
      cwd,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** The documented step table's header, taken from the page itself. */
function documentedHeader(): string {
  return markdownBlock(DOC, "## Quick start", "text").split("\n")[0]!;
}

test("Quick start: three connection steps, a row each, the knee named", async () => {
  const { code, stdout, stderr } = await example("## Quick start");
  assert.equal(code, 0, stderr);
  const lines = stdout.split("\n");
  assert.equal(lines[0], documentedHeader());
  assert.match(lines[1]!, /^1 +10 conns +[\d,]+ /);
  assert.match(lines[2]!, /^2 +50 conns +[\d,]+ /);
  assert.match(lines[3]!, /^3 +100 conns +[\d,]+ /);
  assert.match(stdout, /^knee: (step [123] |not reached)/m);
});

test("Load models: the open model runs the three rates", async () => {
  const { code, stdout, stderr } = await example("## Load models");
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^1 +200 req\/s +/m);
  assert.match(stdout, /^3 +800 req\/s +/m);
});

test("Requests: a POST of order.json with a content type gets 2xx answers", async () => {
  const { code, stdout, stderr } = await example("## Requests");
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^1 +10 conns +[\d,]+ .* 0 \(0\.00%\)/m);
});

test("Thresholds: the gate passes and says so, exit code 0", async () => {
  const { code, stdout, stderr } = await example("## Thresholds and exit codes");
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^thresholds: all held at every step$/m);
  assert.match(stdout, /^exit code 0$/m);
});

test("Correlation: traceway's view has a row per demo backend and step", async () => {
  const { code, stdout, stderr } = await example("## Correlation with traceway's telemetry");
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^traceway's view \(Prometheus, same windows\):$/m);
  const rows = stdout.split("\n").filter((l) => /^[12] +demo +127\.0\.0\.1:\d+ +[\d,]+ /.test(l));
  assert.equal(rows.length, 6, stdout);
});

test("Reports: load.json and load.html are written", async () => {
  const { code, stderr } = await example("## Reports");
  assert.equal(code, 0, stderr);
  const report = JSON.parse(await readFile(join(cwd, "load.json"), "utf8")) as LoadReport;
  assert.deepEqual(
    report.steps.map((s) => s.level),
    [10, 50],
  );
  assert.ok((await stat(join(cwd, "load.html"))).size > 50_000);
});
