import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";
import { closedPort } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";

describe("npm start (embedded demo)", () => {
  it("balances three demo backends round robin and serves /metrics", async () => {
    const [port, metricsPort] = [await closedPort(), await closedPort()];
    const cli = startCli([], {
      TRACEWAY_DEMO_PORT: String(port),
      TRACEWAY_DEMO_METRICS_PORT: String(metricsPort),
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
    } finally {
      assert.equal(await cli.stop(), 0);
    }
  });
});
