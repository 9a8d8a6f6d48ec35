import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { ChildRegistry } from "../lib/children.ts";
import type { ManagedChild } from "../lib/children.ts";
import { NODE, ROOT } from "../lib/layout.ts";
import { freePort } from "../lib/ports.ts";
import { probe } from "../lib/wait-http.ts";

const registry = new ChildRegistry(join(ROOT, ".services", "bench-test-pids.json"));
const backends: Server[] = [];
let urls: string[] = [];

async function backend(name: string): Promise<string> {
  const server = createServer((req, res) => {
    res.writeHead(200, { "x-backend": name, "content-type": "text/plain" }).end(`${name} ${req.url ?? ""}`);
  });
  backends.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  urls = [await backend("a"), await backend("b")];
});
after(async () => {
  await registry.stopAll();
  for (const server of backends) server.close();
});

async function startPeer(
  file: string,
  targets: readonly string[],
): Promise<{ url: string; child: ManagedChild }> {
  const port = await freePort();
  const child = registry.spawn(
    file,
    NODE,
    [join("bench", "peers", file), "--port", String(port), "--backends", targets.join(",")],
    {
      cwd: ROOT,
    },
  );
  // Polls the peer's stdout for its ready line: a dead-backend peer never answers 200.
  const deadline = Date.now() + 15_000;
  while (
    !child.stdoutTail().includes("listening") &&
    child.exitReason() === undefined &&
    Date.now() < deadline
  ) {
    await delay(50);
  }
  assert.match(child.stdoutTail(), /listening/, child.stderrTail());
  return { url: `http://127.0.0.1:${port}`, child };
}

async function get(url: string): Promise<{ status: number; backend: string | null; body: string }> {
  const res = await fetch(url);
  return { status: res.status, backend: res.headers.get("x-backend"), body: await res.text() };
}

for (const file of ["http-proxy-peer.ts", "undici-peer.ts"]) {
  test(`${file} proxies round-robin over its backends, path and headers intact`, async () => {
    const { url } = await startPeer(file, urls);
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await get(`${url}/x?i=${i}`));
    assert.deepEqual(
      seen.map((r) => r.status),
      [200, 200, 200, 200],
    );
    assert.equal(new Set(seen.map((r) => r.backend)).size, 2);
    assert.equal(seen[0]!.backend === seen[1]!.backend, false);
    assert.match(seen[2]!.body, /\/x\?i=2$/);
  });

  test(`${file} answers 502 when its backend is down`, async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const { url } = await startPeer(file, [dead]);
    assert.equal(await probe(`${url}/`), 502);
  });
}
