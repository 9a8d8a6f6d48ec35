import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { attributeOfEach, launchChromium, screenshot, watchedPage } from "../../../helpers/chromium.ts";
import { startBackend, type TestBackend } from "../../../helpers/http-backend.ts";
import { runLoad } from "../../../helpers/load-loop.ts";
import { nameOf, startTraceway, statusPageYaml, type Traceway } from "./traceway-fixture.ts";

const FAILURE_LIMIT = 2;

let stable: TestBackend;
let canary: TestBackend;
let traceway: Traceway;
let browser: Awaited<ReturnType<typeof launchChromium>>;
before(async () => {
  stable = await startBackend("stable");
  // Every answer a 500: each analysis sees an error rate of 100%.
  canary = await startBackend("canary", (req, res) => {
    req.resume();
    res.writeHead(500, { "content-type": "text/plain" }).end("canary broke");
  });
  traceway = await startTraceway(
    statusPageYaml([
      "  api:",
      `    backends: [{ url: "${stable.url}" }]`,
      "    canary:",
      `      backends: [{ url: "${canary.url}" }]`,
      "      steps: [20, 50, 100]",
      "      interval: 1s",
      "      analysis: { maxP99: 2s, maxErrorRate: 0.005, minRequests: 5 }",
      `      failureLimit: ${FAILURE_LIMIT}`,
    ]),
  );
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await traceway?.stop();
  await stable?.kill();
  await canary?.kill();
});

void test("a canary rollback shows on the page: phase, the failed analyses with their numbers, the transition", async () => {
  const { page, problems } = await watchedPage(browser.context, traceway.adminUrl);
  await page.goto(`${traceway.adminUrl}/`);
  const panel = page.locator('section[data-upstream="api"] .canary');
  await panel.and(page.locator('[data-phase="progressing"]')).waitFor();
  let done = false;
  const load = runLoad({
    url: `${traceway.url}/`,
    concurrency: 2,
    count: 20_000,
    maxMs: 60_000,
    until: () => done,
  });
  try {
    await panel.and(page.locator('[data-phase="rolled_back"]')).waitFor({ timeout: 30_000 });
  } finally {
    done = true;
    await load;
  }
  assert.equal(await panel.locator("h3 .phase").innerText(), "rolled back");

  const analyses = panel.locator("table.analyses tbody tr");
  const verdicts = await attributeOfEach(analyses, "data-verdict");
  assert.deepEqual(verdicts.slice(0, FAILURE_LIMIT), Array(FAILURE_LIMIT).fill("fail"), "latest first");
  const cells = await analyses.first().locator("td").allInnerTexts();
  const [, step, verdict, requests, errors, errorRate] = cells;
  assert.equal(verdict, "fail");
  assert.match(step ?? "", /^1 \(20%\)$/);
  assert.ok(Number(requests) >= 5 && requests === errors, `${requests} requests, ${errors} errors`);
  assert.equal(errorRate, "100%");
  assert.match(cells.join(" "), /✗ error_rate 100% \(max 0\.50%\)/);

  const transition = panel.locator('table.transitions tbody tr[data-to="rolled_back"]');
  assert.match(
    await transition.innerText(),
    /progressing\s+rolled back\s+1 \(0%\)\s+analysis\s+2 failed analyses/,
  );
  assert.equal(
    await page.locator(`tr[data-backend="${nameOf(canary)}"] .col-share`).innerText(),
    "0%",
    "the canary takes no new requests",
  );
  const logged = page.locator('#events tr[data-event="canary"]', { hasText: "rolled back" });
  await logged.first().waitFor();
  await screenshot(page, "status-page-canary-rollback");
  assert.deepEqual(problems, []);
});
