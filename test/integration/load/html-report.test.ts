import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { chromium, type BrowserContext } from "playwright-core";
import { PROMETHEUS_URL, REPO_ROOT } from "../../helpers/services.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { startObservedBalancer, type ObservedBalancer } from "../telemetry/balancer-fixture.ts";
import { runLoadInProcess } from "./run-in-process.ts";

/** Where the screenshot is kept for a human to look at (git-ignored). */
const ARTIFACTS = join(REPO_ROOT, "test-artifacts");
const CHARTS = [
  "throughput",
  "latency",
  "errors",
  "generator",
  "spectrum",
  "backend-requests",
  "backend-p99",
  "backend-errors",
  "backend-retries",
  "backend-ejections",
];

let backends: TestBackend[];
let lb: ObservedBalancer;
let dir: string;
let browser: BrowserContext;

before(async () => {
  backends = await Promise.all(["a", "b"].map((name) => startBackend(name)));
  lb = await startObservedBalancer([
    testUpstream(
      "api",
      backends.map((b) => b.url),
    ),
  ]);
  dir = await mkdtemp(join(tmpdir(), "traceway-load-html-"));
  browser = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});
after(async () => {
  await browser.close();
  await lb.close();
  await Promise.all(backends.map((b) => b.kill()));
  await rm(dir, { recursive: true, force: true });
});

test("the HTML report renders offline in Chromium: no console errors, one chart per metric, the knee named", async () => {
  const html = join(dir, "report.html");
  const { report } = await runLoadInProcess(`${lb.balancer.url}/`, {
    steps: "1,2,4",
    // Longer than the 1 s scrape interval, so a scrape falls inside every step and each has its rows.
    stepDuration: "2s",
    warmup: "0",
    prometheus: PROMETHEUS_URL,
    prometheusMatch: `job="${lb.job}"`,
    report: html,
  });
  assert.equal(report.steps.length, 3);
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning")
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  // Self-contained: any request beyond the file itself would be a missing inline asset.
  await page.route("**/*", (route) => {
    if (route.request().url().startsWith("file:")) return route.continue();
    problems.push(`request: ${route.request().url()}`);
    return route.abort();
  });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(pathToFileURL(html).href);
  const figures = page.locator("figure.chart");
  const drawn = [];
  for (let i = 0; i < (await figures.count()); i++) {
    const figure = figures.nth(i);
    drawn.push({
      metric: await figure.getAttribute("data-metric"),
      canvases: await figure.locator(".uplot canvas").count(),
    });
  }
  assert.deepEqual(
    drawn,
    CHARTS.map((metric) => ({ metric, canvases: 1 })),
  );
  assert.match(await page.locator("#knee").innerText(), /^Knee: step [123] \(/);
  assert.equal(await page.locator("#steps tbody tr").count(), 3);
  assert.equal(await page.locator("#backends tbody tr").count(), 6);
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, "load-report.png"), fullPage: true });
  assert.deepEqual(problems, []);
});
