import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promQuery, REPO_ROOT } from "../../helpers/services.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { load, startObservedBalancer, type ObservedBalancer } from "../telemetry/balancer-fixture.ts";

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

/** HTTP panels that must show data once traffic has flowed (the Kafka ones are checked for syntax only). */
const MUST_HAVE_DATA = [
  "Requests per second by backend",
  "5xx ratio by upstream (alert at 0.5%)",
  "Upstream errors by type",
  "Client-facing latency p50 / p95 / p99",
  "Upstream latency p95 by backend (per attempt)",
  "In-flight requests by backend",
  "Backend up (1) / out of rotation (0)",
  "Retries, ejections, refused",
  "Bytes in / out by backend",
];

describe("Grafana overview dashboard against real Prometheus", () => {
  const upstream = `dash-${randomUUID().slice(0, 8)}`;
  let panels: Panel[];
  let backends: TestBackend[];
  let observed: ObservedBalancer;

  before(async () => {
    const json = await readFile(join(REPO_ROOT, "dashboards", "traceway-overview.json"), "utf8");
    panels = (JSON.parse(json) as { panels: Panel[] }).panels.filter((p) => p.type !== "row");
    backends = [
      await startBackend("ok-1"),
      await startBackend("ok-2"),
      await startBackend("flaky", (req, res) => {
        req.resume();
        res.writeHead(503).end("busy");
      }),
    ];
    observed = await startObservedBalancer([
      testUpstream(
        upstream,
        backends.map((b) => b.url),
        { retry: { tries: 2, timeoutMs: 0, on: ["error", "http_503"] } },
      ),
    ]);
    const statuses = await load((i) => `${observed.balancer.url}/item/${i}`, 300, 10);
    assert.equal(statuses.get(200), 300, "retries turned every 503 into a 200");
  });
  after(async () => {
    await observed.close();
    for (const b of backends) await b.kill();
  });

  const instantiate = (expr: string): string =>
    expr.replaceAll("$upstream", upstream).replaceAll("$__rate_interval", "1m");

  it("every panel query is valid PromQL that Prometheus evaluates", async () => {
    assert.ok(panels.length >= 15);
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        await assert.doesNotReject(promQuery(instantiate(target.expr)), `${panel.title}: ${target.expr}`);
      }
    }
  });

  it("the HTTP panels show this balancer's traffic", async () => {
    for (const title of MUST_HAVE_DATA) {
      const panel = panels.find((p) => p.title === title);
      assert.ok(panel, `dashboard has a panel "${title}"`);
      await waitFor(
        async () => {
          for (const target of panel.targets ?? []) {
            if ((await promQuery(instantiate(target.expr))).length > 0) return true;
          }
          return false;
        },
        { what: `data in panel "${title}"`, timeoutMs: 20_000, intervalMs: 500 },
      );
    }
  });
});
