import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { launchChromium, screenshot, watchedPage } from "../../../helpers/chromium.ts";
import { closedPort, startBackend, type TestBackend } from "../../../helpers/http-backend.ts";
import { httpGet } from "../../../helpers/http-client.ts";
import { markdownBlock } from "../../../helpers/markdown-block.ts";
import { REPO_ROOT } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import { ADMIN_TOKEN, nameOf, startTraceway, statusPageYaml, type Traceway } from "./traceway-fixture.ts";

/** nginx with docs/status-page.md's location block, pointed at this test's admin listener. */
function nginxConfig(dir: string, port: number, adminHost: string): string {
  const location = markdownBlock(
    join(REPO_ROOT, "docs", "status-page.md"),
    "## Behind a reverse proxy",
    "nginx",
  );
  assert.match(location, /127\.0\.0\.1:9901/, "the documented block points at the default admin address");
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((k) => `${k}_temp_path ${dir}/${k};`);
  return `daemon off;
pid ${dir}/nginx.pid;
error_log stderr warn;
events {}
http {
  access_log off;
  ${temp.join("\n  ")}
  server {
    listen 127.0.0.1:${port};
${location.replace("127.0.0.1:9901", adminHost)}
  }
}
`;
}

let backend: TestBackend;
let traceway: Traceway;
let nginx: ChildProcess;
let proxyUrl: string;
let dir: string;
let browser: Awaited<ReturnType<typeof launchChromium>>;
before(async () => {
  backend = await startBackend("a");
  // Behind a proxy on the same machine the docs ask for readAccess: token.
  traceway = await startTraceway(
    statusPageYaml(["  api:", `    backends: [{ url: "${backend.url}" }]`], { readAccess: "token" }),
  );
  dir = await mkdtemp(join(tmpdir(), "traceway-nginx-"));
  const port = await closedPort();
  await writeFile(join(dir, "nginx.conf"), nginxConfig(dir, port, new URL(traceway.adminUrl).host));
  nginx = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr"], { stdio: "inherit" });
  proxyUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await httpGet(`${proxyUrl}/traceway/`)).status === 200, {
    what: "nginx proxying the page",
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  if (nginx?.exitCode === null) {
    const exited = new Promise((resolve) => nginx.once("exit", resolve));
    nginx.kill("SIGTERM");
    await exited;
  }
  await traceway?.stop();
  await backend?.kill();
  await rm(dir, { recursive: true, force: true });
});

void test("behind the documented nginx location the page loads under its path and the stream flows live", async () => {
  const { page, problems } = await watchedPage(browser.context, proxyUrl);
  const paths: string[] = [];
  page.on("request", (request) => paths.push(new URL(request.url()).pathname));
  await page.goto(`${proxyUrl}/traceway`);
  assert.equal(page.url(), `${proxyUrl}/traceway/`, "nginx adds the trailing slash");
  await page.locator("#token-form").waitFor({ state: "visible" });
  await page.locator("#token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Connect" }).click();
  await page.locator("#connection").getByText("live", { exact: true }).waitFor();
  await page.locator(`tr[data-backend="${nameOf(backend)}"][data-state="up"]`).waitFor();
  // Unbuffered: snapshots keep arriving one a second, each with a new time.
  const times = new Set<string>();
  await waitFor(
    async () => {
      times.add(await page.locator("#updated").innerText());
      return times.size > 3;
    },
    { what: "three more snapshots through nginx", intervalMs: 200 },
  );
  await screenshot(page, "status-page-behind-nginx");
  assert.deepEqual(
    paths.filter((p) => !p.startsWith("/traceway/")),
    ["/traceway"],
    "after the redirect every request stays under the path",
  );
  assert.deepEqual(
    problems.filter((p) => !/status of 401/.test(p)),
    [],
  );
});
