import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";

const config = (listen: string): string =>
  [
    `server: { listen: "${listen}", workers: 2 }`,
    'upstreams: { api: { backends: [{ url: "http://127.0.0.1:9" }] } }',
    "telemetry: { prometheus: { enabled: false } }",
  ].join("\n");

async function run(dir: string, listen: string): Promise<{ code: number | null; stderr: string }> {
  const file = join(dir, `${listen.replace(/\W/g, "_")}.yaml`);
  await writeFile(file, config(listen));
  const cli = startCli(["--config", file]);
  return { code: await cli.exited, stderr: cli.stderr().trim() };
}

describe("a multi-worker instance that cannot listen says so in one line and exits 1", () => {
  let dir: string;
  let holder: Server;
  let port: number;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "traceway-workers-start-"));
    // Held with SO_REUSEPORT, as another traceway instance's workers would hold it.
    holder = createServer();
    await new Promise<void>((resolve) =>
      holder.listen({ host: "127.0.0.1", port: 0, reusePort: true }, resolve),
    );
    port = (holder.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it("a port another process holds, even with SO_REUSEPORT, is refused rather than shared", async () => {
    assert.deepEqual(await run(dir, `127.0.0.1:${port}`), {
      code: 1,
      stderr: `traceway: cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
    });
  });

  it("an address no worker can bind fails the start with the worker's error", async () => {
    // TEST-NET-1 (RFC 5737): never an address of this machine.
    assert.deepEqual(await run(dir, "192.0.2.1:0"), {
      code: 1,
      stderr: "traceway: cannot listen on 192.0.2.1:0: EADDRNOTAVAIL",
    });
  });
});
