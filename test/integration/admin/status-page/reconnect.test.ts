import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchChromium, screenshot, watchedPage } from "../../../helpers/chromium.ts";
import { closedPort, startBackend, type TestBackend } from "../../../helpers/http-backend.ts";
import { startTraceway, statusPageYaml, type Traceway } from "./traceway-fixture.ts";

let backend: TestBackend;
/** Nothing listens there: each traceway process logs one health event for it when it starts. */
let dead: string;
let traceway: Traceway | undefined;
let browser: Awaited<ReturnType<typeof launchChromium>>;
const yaml = (admin?: string): string =>
  statusPageYaml(
    [
      "  api:",
      `    backends: [{ url: "${backend.url}" }, { url: "http://${dead}" }]`,
      "    healthCheck: { enabled: true, interval: 250ms, timeout: 250ms, unhealthyThreshold: 1 }",
    ],
    admin === undefined ? {} : { admin },
  );

before(async () => {
  backend = await startBackend("a");
  dead = `127.0.0.1:${await closedPort()}`;
  traceway = await startTraceway(yaml());
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await traceway?.stop();
  await backend?.kill();
});

void test("when traceway stops the page says disconnected, and it comes back by itself when traceway does", async () => {
  const first = traceway;
  assert.ok(first);
  const { page, problems } = await watchedPage(browser.context, first.adminUrl);
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  await page.goto(`${first.adminUrl}/`);
  const connection = page.locator("#connection");
  const banner = page.locator("#banner");
  await connection.getByText("live", { exact: true }).waitFor();
  assert.equal(await banner.isHidden(), true);
  const deadEvents = page.locator('#events tr[data-event="health"]', { hasText: dead });
  await deadEvents.first().waitFor();

  await first.stop();
  traceway = undefined;
  await banner.waitFor({ state: "visible", timeout: 10_000 });
  assert.equal(await connection.innerText(), "disconnected");
  assert.match(
    await banner.innerText(),
    /^Disconnected from the admin API: .+\. Reconnecting (in \d+ s|now) \(attempt \d+\)\./,
  );
  assert.match(String(await page.locator("#main").getAttribute("class")), /\bstale\b/, "old data is dimmed");
  await screenshot(page, "status-page-disconnected");

  traceway = await startTraceway(yaml(new URL(first.adminUrl).host));
  // Backoff is at most 5 s (+20% jitter) between attempts.
  await banner.waitFor({ state: "hidden", timeout: 10_000 });
  await connection.getByText("live", { exact: true }).waitFor();
  await page.locator('section[data-upstream="api"] tbody tr[data-state="up"]').waitFor();
  // The new process's own events are shown too (its event ids start again from 1).
  await deadEvents.nth(1).waitFor();
  assert.equal(await deadEvents.count(), 2, "one health event per process, none twice");
  assert.equal(navigations, 1, "the page reconnected without a reload");
  // While traceway was down, Chromium logs each refused connection; nothing else may go wrong.
  const unexpected = problems.filter(
    (p) => !/ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|events net::ERR/.test(p),
  );
  assert.deepEqual(unexpected, []);
});
