import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { attributeOfEach, launchChromium, screenshot, watchedPage } from "../../../helpers/chromium.ts";
import { startBackend, type TestBackend } from "../../../helpers/http-backend.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import { nameOf, startTraceway, statusPageYaml, type Traceway } from "./traceway-fixture.ts";

/** The bound: a killed backend's row shows it within 3 s, without a reload. */
const WITHIN_MS = 3000;

let a: TestBackend;
let b: TestBackend;
let traceway: Traceway;
let browser: Awaited<ReturnType<typeof launchChromium>>;
before(async () => {
  a = await startBackend("a");
  b = await startBackend("b");
  traceway = await startTraceway(
    statusPageYaml([
      "  api:",
      `    backends: [{ url: "${a.url}" }, { url: "${b.url}" }]`,
      "    healthCheck: { enabled: true, interval: 250ms, timeout: 250ms, unhealthyThreshold: 1, healthyThreshold: 1 }",
    ]),
  );
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await traceway?.stop();
  await a?.kill();
});

void test("killing a backend turns its row down within 3 s, without a reload, and logs the health change", async () => {
  const { page, problems } = await watchedPage(browser.context, traceway.adminUrl);
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  await page.goto(`${traceway.adminUrl}/`);
  const rows = page.locator('section[data-upstream="api"] tbody tr[data-backend]');
  const bName = nameOf(b);
  await waitFor(async () => (await attributeOfEach(rows, "data-state")).join() === "up,up", {
    what: "both rows up",
  });

  const killedAt = Date.now();
  await b.kill();
  const row = page.locator(`tr[data-backend="${bName}"]`);
  await row.and(page.locator('[data-state="down"]')).waitFor({ timeout: WITHIN_MS });
  const elapsed = Date.now() - killedAt;
  console.log(`row down ${elapsed} ms after the kill`);
  assert.ok(elapsed <= WITHIN_MS, `${elapsed} ms`);

  assert.equal(await row.locator(".col-state").innerText(), "down", "the state in words, not colour alone");
  assert.match(await row.locator(".col-health").innerText(), /^active down/);
  assert.equal(await page.locator(`tr[data-backend="${nameOf(a)}"]`).getAttribute("data-state"), "up");
  const logged = page.locator('#events tr[data-event="health"]', { hasText: bName });
  await logged.first().waitFor();
  assert.match(await logged.first().innerText(), /down/);
  assert.equal(navigations, 1, "the page was never reloaded");
  await screenshot(page, "status-page-backend-down");
  assert.deepEqual(problems, []);
});
