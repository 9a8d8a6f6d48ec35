import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";
import { closedPort } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";

describe("npm start (embedded demo)", () => {
  it("balances three demo backends round robin and serves /metrics", async () => {
    const [port, metricsPort, adminPort] = [await closedPort(), await closedPort(), await closedPort()];
    const cli = startCli([], {
      TRACEWAY_DEMO_PORT: String(port),
      TRACEWAY_DEMO_METRICS_PORT: String(metricsPort),
      TRACEWAY_DEMO_ADMIN_PORT: String(adminPort),
    });
    try {
      const [, balancer] = await cli.waitForOutput(/balancer:\s+(http:\/\/\S+?)\/\s/, "demo URLs printed");
      const [, metrics] = await cli.waitForOutput(/metrics:\s+(http:\/\/\S+)/, "metrics URL printed");
      assert.equal(balancer, `http://127.0.0.1:${port}`);
      const seen = [];
      for (let i = 0; i < 3; i++) {
        const res = await httpGet(`${balancer}/`);
        assert.equal(res.status, 200);
        seen.push((JSON.parse(res.body) as { backend: string }).backend);
      }
      assert.deepEqual(seen.sort(), ["demo-1", "demo-2", "demo-3"]);
      const scrape = await httpGet(metrics ?? "");
      assert.match(scrape.body, /^http_server_request_duration_seconds_count\{.*\} 3$/m);

      // The status page and the admin API: reads open on loopback, a write with the printed token.
      const [, status] = await cli.waitForOutput(/status:\s+(http:\/\/\S+?)\/\s/, "status page URL printed");
      const [, token] = await cli.waitForOutput(/token:\s+(\S+)/, "admin token printed");
      assert.equal(status, `http://127.0.0.1:${adminPort}`);
      const page = await httpGet(`${status}/`);
      assert.equal(page.status, 200);
      assert.match(page.body, /<title>[^<]*traceway/i);
      const upstreams = JSON.parse((await httpGet(`${status}/api/v1/upstreams`)).body) as {
        upstreams: { name: string; backends: { name: string }[] }[];
      };
      assert.deepEqual(
        upstreams.upstreams.map((u) => [u.name, u.backends.length]),
        [["demo", 3]],
      );
      const backend = upstreams.upstreams[0]?.backends[0]?.name ?? "";
      const write = await fetch(`${status}/api/v1/upstreams/demo/backends/${encodeURIComponent(backend)}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${token ?? ""}`, "content-type": "application/json" },
        body: JSON.stringify({ weight: 2 }),
      });
      assert.equal(write.status, 200, await write.text());
    } finally {
      assert.equal(await cli.stop(), 0);
    }
  });
});
