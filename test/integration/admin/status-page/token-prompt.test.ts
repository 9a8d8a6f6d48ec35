import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchChromium, screenshot, watchedPage } from "../../../helpers/chromium.ts";
import { startBackend, type TestBackend } from "../../../helpers/http-backend.ts";
import { ADMIN_TOKEN, startTraceway, statusPageYaml, type Traceway } from "./traceway-fixture.ts";

let backend: TestBackend;
let traceway: Traceway;
let browser: Awaited<ReturnType<typeof launchChromium>>;
before(async () => {
  backend = await startBackend("a");
  traceway = await startTraceway(
    statusPageYaml(["  api:", `    backends: [{ url: "${backend.url}" }]`], { readAccess: "token" }),
  );
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await traceway?.stop();
  await backend?.kill();
});

void test("when reads need a token the page asks once, refuses a wrong one, and sends the right one as Bearer", async () => {
  const { page, problems } = await watchedPage(browser.context, traceway.adminUrl);
  const sent: (string | undefined)[] = [];
  page.on("request", (request) => {
    if (request.url().endsWith("/api/v1/events")) sent.push(request.headers()["authorization"]);
  });
  await page.goto(`${traceway.adminUrl}/`);
  const form = page.locator("#token-form");
  const hint = page.locator("#token-hint");
  await form.waitFor({ state: "visible" });
  assert.equal(await page.locator("#connection").innerText(), "needs a token");
  assert.match(await hint.innerText(), /missing Authorization/);
  assert.equal(await page.locator("#token:focus").count(), 1, "the field has the focus");

  await page.locator("#token").fill("not-the-right-token-at-all");
  await page.getByRole("button", { name: "Connect" }).click();
  await hint.getByText(/^The token was refused/).waitFor();
  await form.waitFor({ state: "visible" });
  await screenshot(page, "status-page-token");

  await page.locator("#token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Connect" }).click();
  await page.locator("#connection").getByText("live", { exact: true }).waitFor();
  await page.locator('section[data-upstream="api"] tbody tr[data-backend]').waitFor();
  assert.equal(await form.isHidden(), true);
  assert.deepEqual(sent, [undefined, "Bearer not-the-right-token-at-all", `Bearer ${ADMIN_TOKEN}`]);

  // Kept for the tab: a reload connects at once, without asking again.
  await page.reload();
  await page.locator("#connection").getByText("live", { exact: true }).waitFor();
  assert.equal(await form.isHidden(), true);
  assert.equal(sent.at(-1), `Bearer ${ADMIN_TOKEN}`);
  // Chromium logs each 401 the page was answered, and the reload aborts the open stream: those
  // are the only problems allowed.
  const allowed = /status of 401|\/api\/v1\/events net::ERR_ABORTED/;
  assert.deepEqual(
    problems.filter((p) => !allowed.test(p)),
    [],
  );
});
