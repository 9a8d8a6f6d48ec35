import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parse, stringify } from "yaml";
import { attributeOfEach, launchChromium, screenshot, watchedPage } from "../../../helpers/chromium.ts";
import { startBackend, type TestBackend } from "../../../helpers/http-backend.ts";
import { markdownBlock } from "../../../helpers/markdown-block.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import { REPO_ROOT } from "../../../helpers/services.ts";
import { runLoad } from "../../../helpers/load-loop.ts";
import { nameOf, startTraceway, type Traceway } from "./traceway-fixture.ts";

interface DocsConfig {
  admin: { listen: string };
  upstreams: { api: { backends: { url: string }[] } };
  [key: string]: unknown;
}

/** The config docs/status-page.md shows, on this test's addresses. */
function documentedConfig(backends: readonly TestBackend[]): string {
  const doc = parse(
    markdownBlock(join(REPO_ROOT, "docs", "status-page.md"), "## Turning it on"),
  ) as DocsConfig;
  assert.equal(doc.upstreams.api.backends.length, backends.length, "one test backend per documented one");
  doc.admin.listen = "127.0.0.1:0";
  doc.upstreams.api.backends = backends.map((b) => ({ url: b.url }));
  doc["server"] = { listen: "127.0.0.1:0" };
  doc["telemetry"] = { prometheus: { enabled: false } };
  doc["logging"] = { level: "info", accessLog: false };
  return stringify(doc);
}

/** `1,204.5 ms` → 1204.5. */
const numberIn = (text: string): number => Number.parseFloat(text.replaceAll(",", ""));

let backends: TestBackend[];
let traceway: Traceway;
let browser: Awaited<ReturnType<typeof launchChromium>>;
before(async () => {
  backends = await Promise.all(["a", "b"].map((name) => startBackend(name)));
  traceway = await startTraceway(documentedConfig(backends));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await traceway?.stop();
  await Promise.all(backends.map((b) => b.kill()));
});

void test("the page loads with no console error, asks nothing of any other origin, and shows each backend live", async () => {
  const { page, problems } = await watchedPage(browser.context, traceway.adminUrl);
  const requested: string[] = [];
  page.on("request", (request) => requested.push(request.url()));
  let done = false;
  const load = runLoad({
    url: `${traceway.url}/`,
    concurrency: 2,
    count: 20_000,
    maxMs: 60_000,
    until: () => done,
  });
  try {
    await page.goto(`${traceway.adminUrl}/`);
    await page.locator("#connection", { hasText: /^live$/ }).waitFor();
    const rows = page.locator('section[data-upstream="api"] tbody tr[data-backend]');
    // Requests per second above zero on both rows: the snapshots carry the load the test sends.
    await waitFor(
      async () => {
        const rps = (await rows.locator(".col-rps .value").allInnerTexts()).map(numberIn);
        return rps.length === 2 && rps.every((n) => n > 0) && rps;
      },
      { what: "requests/s above 0 on both rows", timeoutMs: 15_000 },
    );
    assert.deepEqual(await attributeOfEach(rows, "data-backend"), [...backends.map(nameOf)]);
    assert.deepEqual(await attributeOfEach(rows, "data-state"), ["up", "up"]);
    assert.equal(await page.locator("tbody tr .col-state").first().innerText(), "up");
    assert.equal(
      await rows.locator(".spark .uplot canvas").count(),
      4,
      "a requests/s and a p99 sparkline per row",
    );
    // Some seconds of sparkline for the screenshot: each snapshot adds a point and a new time.
    const times = new Set<string>();
    await waitFor(
      async () => {
        times.add(await page.locator("#updated").innerText());
        return times.size > 8;
      },
      { what: "eight more snapshots", intervalMs: 200, timeoutMs: 15_000 },
    );
    const path = await screenshot(page, "status-page");
    console.log(`screenshot: ${path}`);
  } finally {
    done = true;
    await load;
  }
  assert.deepEqual(problems, []);
  const paths = requested.map((url) => {
    assert.ok(url.startsWith(`${traceway.adminUrl}/`), `the page asked ${url}`);
    return new URL(url).pathname.replace(/^\/assets\/[0-9a-f]{12}\//, "/assets/V/");
  });
  assert.deepEqual(
    new Set(paths.filter((p) => !p.startsWith("/assets/V/"))),
    new Set(["/", "/api/v1/events"]),
  );
  assert.ok(paths.includes("/assets/V/uplot.js") && paths.includes("/assets/V/main.js"));
});
