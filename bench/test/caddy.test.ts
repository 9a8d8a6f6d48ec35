import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { caddyfile } from "../lib/caddy-config.ts";
import { ChildRegistry } from "../lib/children.ts";
import { ROOT } from "../lib/layout.ts";
import { freePort } from "../lib/ports.ts";
import { waitForHttp200 } from "../lib/wait-http.ts";

const dir = mkdtempSync(join(tmpdir(), "traceway-bench-caddy-"));
const registry = new ChildRegistry(join(ROOT, ".services", "bench-caddy-test-pids.json"));
const backends: Server[] = [];
let ports: number[] = [];

before(async () => {
  for (const name of ["a", "b", "c"]) {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "x-backend": name, "content-type": "text/plain" }).end(name);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    backends.push(server);
  }
  ports = backends.map((s) => (s.address() as AddressInfo).port);
});
after(async () => {
  await registry.stopAll();
  for (const server of backends) server.close();
  rmSync(dir, { recursive: true, force: true });
});

void test("Caddy's generated config starts, balances round-robin over the backends and serves Prometheus metrics", async () => {
  const port = await freePort();
  const adminPort = await freePort();
  const file = join(dir, "Caddyfile");
  mkdirSync(join(dir, "data"), { recursive: true });
  writeFileSync(file, caddyfile(port, adminPort, ports));
  const child = registry.spawn("Caddy", "caddy", ["run", "--adapter", "caddyfile", "--config", file], {
    env: { ...process.env, XDG_DATA_HOME: join(dir, "data"), XDG_CONFIG_HOME: join(dir, "config") },
  });
  const url = `http://127.0.0.1:${port}`;
  const failure = await waitForHttp200(`${url}/small`, 15_000, () => child.exitReason());
  assert.equal(failure, undefined, child.stderrTail());

  const seen: string[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${url}/small?i=${i}`);
    assert.equal(res.status, 200);
    seen.push(res.headers.get("x-backend") ?? "");
    await res.text();
  }
  // Round robin: every backend in each window of three, in a fixed order.
  assert.deepEqual(new Set(seen.slice(0, 3)), new Set(["a", "b", "c"]));
  assert.deepEqual(seen.slice(3), seen.slice(0, 3));

  const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const served = /^caddy_http_requests_total\{handler="\w+",server="srv0"\} (\d+)$/m.exec(metrics);
  assert.ok(served !== null, "per-server HTTP metrics are on");
  assert.ok(Number(served[1]) >= 7, `counted ${served[1]} requests`);
  for (const p of ports)
    assert.match(
      metrics,
      new RegExp(`^caddy_reverse_proxy_upstreams_healthy\\{upstream="127\\.0\\.0\\.1:${p}"\\} 1$`, "m"),
    );
});
