import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { waitFor } from "../../helpers/wait-for.ts";

const configFor = (port: number, backends: string[]): string =>
  [
    `server: { listen: "127.0.0.1:${port}" }`,
    "upstreams:",
    "  api:",
    "    backends:",
    ...backends.map((url) => `      - { url: "${url}" }`),
    "telemetry: { prometheus: { enabled: false } }",
    "logging: { level: info, accessLog: false }",
  ].join("\n");

describe("traceway --config FILE", () => {
  let dir: string;
  let a: TestBackend;
  let b: TestBackend;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "traceway-cli-"));
    a = await startBackend("a");
    b = await startBackend("b");
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await a.kill();
    await b.kill();
  });

  it("refuses to start on an invalid file and names every problem", async () => {
    const file = join(dir, "bad.yaml");
    await writeFile(file, 'upstreams:\n  api:\n    strategy: fastest\n    backends: [{ url: "htp:/x" }]\n');
    const cli = startCli(["--config", file]);
    assert.equal(await cli.exited, 1);
    assert.match(cli.stderr(), /upstreams\.api\.strategy: .*"fastest"/);
    assert.match(cli.stderr(), /upstreams\.api\.backends\[0\]\.url: invalid URL "htp:\/x"/);
  });

  it("reloads on SIGHUP and on file change, keeps the old config when the new one is invalid, drains on SIGTERM", async () => {
    const port = await closedPort();
    const file = join(dir, "traceway.yaml");
    await writeFile(file, configFor(port, [a.url]));
    const cli = startCli(["--config", file]);
    try {
      await cli.waitForOutput(/traceway listening/, "the balancer listening");
      const url = `http://127.0.0.1:${port}/`;
      assert.equal((await httpGet(url)).body, "a");

      // File change alone triggers a reload.
      await writeFile(file, configFor(port, [b.url]));
      await waitFor(async () => (await httpGet(url)).body === "b", {
        what: "reload to backend b after file change",
      });

      // An invalid file is rejected, logged with its problems, and b keeps serving.
      await writeFile(file, configFor(port, ["ftp://nope"]));
      await cli.waitForOutput(/new configuration rejected; keeping the old one/, "rejection logged");
      assert.match(cli.stdout() + cli.stderr(), /backends\[0\]\.url/);
      assert.equal((await httpGet(url)).body, "b");

      // SIGHUP re-reads the (now valid again) file.
      await writeFile(file, configFor(port, [a.url]));
      cli.child.kill("SIGHUP");
      await waitFor(async () => (await httpGet(url)).body === "a", {
        what: "reload to backend a after SIGHUP",
      });
    } finally {
      assert.equal(await cli.stop(), 0, "SIGTERM drains and exits 0");
    }
  });

  it("fails with one clear line when its port is taken", async () => {
    const file = join(dir, "taken.yaml");
    await writeFile(file, configFor(a.port, [b.url]));
    const cli = startCli(["--config", file]);
    assert.equal(await cli.exited, 1);
    assert.equal(cli.stderr().trim(), `traceway: cannot listen on 127.0.0.1:${a.port}: EADDRINUSE`);
  });

  it("check-config exits 0 on the shipped example and 1 on a broken file", async () => {
    const ok = startCli(["check-config", "examples/traceway.yaml"]);
    assert.equal(await ok.exited, 0);
    assert.match(ok.stdout(), /^ok: \d+ upstreams?, \d+ routes?/m);
    const file = join(dir, "broken.yaml");
    await writeFile(file, "server: { listen: nowhere }\n");
    const bad = startCli(["check-config", file]);
    assert.equal(await bad.exited, 1);
    assert.match(bad.stdout(), /server\.listen/);
  });
});
