import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { prometheusWindow } from "../../../src/load/correlate.ts";
import { addScrapeTarget, ensureServices, PROMETHEUS_URL, waitForScrape } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";

/**
 * Issue 17 renames traceway's series to the OpenTelemetry Prometheus-compatibility names (unit
 * suffixes). Two exporters, one per spelling, each adding 100 requests, 10 errors, 2 retries and
 * 1 ejection per scrape, scraped by the real Prometheus: both must give the same rows.
 */
const SPELLINGS = {
  today: {
    duration: "http_client_request_duration",
    retries: "traceway_upstream_retries_total",
    ejections: "traceway_upstream_backend_ejections_total",
  },
  suffixed: {
    duration: "http_client_request_duration_seconds",
    retries: "traceway_upstream_retries_total",
    ejections: "traceway_upstream_backend_ejections",
  },
} as const;

type Spelling = keyof typeof SPELLINGS;
const servers: Server[] = [];
const removers: Array<() => Promise<void>> = [];
const jobs = new Map<Spelling, string>();

function exposition(spelling: Spelling, scrape: number): string {
  const names = SPELLINGS[spelling];
  const labels = 'traceway_upstream="api",traceway_backend="10.0.0.1:8080"';
  const ok = 90 * scrape;
  const failed = 10 * scrape;
  const series = (extra: string, n: number): string[] => [
    `${names.duration}_bucket{${labels}${extra},le="0.005"} ${n / 2}`,
    `${names.duration}_bucket{${labels}${extra},le="0.05"} ${n}`,
    `${names.duration}_bucket{${labels}${extra},le="+Inf"} ${n}`,
    `${names.duration}_sum{${labels}${extra}} ${n * 0.01}`,
    `${names.duration}_count{${labels}${extra}} ${n}`,
  ];
  return [
    `# TYPE ${names.duration} histogram`,
    ...series(',http_response_status_code="200"', ok),
    ...series(',http_response_status_code="503",error_type="503"', failed),
    `# TYPE ${names.retries} counter`,
    `${names.retries}{${labels}} ${2 * scrape}`,
    `# TYPE ${names.ejections} counter`,
    `${names.ejections}{${labels}} ${scrape}`,
    "",
  ].join("\n");
}

before(async () => {
  await ensureServices("prometheus");
  for (const spelling of Object.keys(SPELLINGS) as Spelling[]) {
    let scrapes = 0;
    const server = createServer((_req, res) => {
      scrapes++;
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(exposition(spelling, scrapes));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    const job = `load-names-${spelling}-${randomUUID().slice(0, 8)}`;
    jobs.set(spelling, job);
    removers.push(
      await addScrapeTarget({ job, target: `127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
    await waitForScrape(job);
  }
});
after(async () => {
  for (const remove of removers) await remove();
  for (const server of servers) server.close();
});

for (const spelling of Object.keys(SPELLINGS) as Spelling[]) {
  test(`the per-backend queries read the ${spelling} spelling (${SPELLINGS[spelling].duration}_count)`, async () => {
    const options = { url: PROMETHEUS_URL, match: `job="${jobs.get(spelling)!}"` };
    // A window of 3 s ending now holds 2–4 scrapes' worth; wait until it holds a full one.
    const window = await waitFor(
      async () => {
        const end = Date.now();
        const w = await prometheusWindow(options, end - 3000, end);
        return (w.backends[0]?.requests ?? 0) >= 200 ? w : undefined;
      },
      {
        what: `two scrapes of job ${jobs.get(spelling)!} in a 3 s window`,
        timeoutMs: 15_000,
        intervalMs: 250,
      },
    );
    assert.deepEqual(window.errors, []);
    assert.equal(window.backends.length, 1);
    const [row] = window.backends;
    const scrapes = row!.requests / 100;
    assert.ok(Number.isInteger(scrapes), `requests ${row!.requests} is a whole number of scrapes`);
    assert.deepEqual(
      { ...row, p99Ms: undefined },
      {
        upstream: "api",
        backend: "10.0.0.1:8080",
        requests: 100 * scrapes,
        errors: 10 * scrapes,
        p99Ms: undefined,
        retries: 2 * scrapes,
        ejections: scrapes,
      },
    );
    // Half the requests are ≤ 5 ms and all ≤ 50 ms: p99 interpolates inside the (5, 50] ms bucket.
    assert.ok(row!.p99Ms! > 5 && row!.p99Ms! <= 50, `p99 ${row!.p99Ms} ms`);
  });
}
