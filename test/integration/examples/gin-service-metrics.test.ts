import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { addScrapeTarget, ensureServices, promQuery, waitForScrape } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { BUILD_TIMEOUT_MS, startGinService } from "./example-processes.ts";
import type { GinService } from "./example-processes.ts";

// /metrics carries the service's RED histogram, the SQLite histogram, the orders counter and a GC
// pause histogram that can express "a single pause > 2 s"; the real Prometheus scrapes all of it.
let service: GinService;
let removeTarget: (() => Promise<void>) | undefined;
const job = `gin-service-metrics-${randomUUID()}`;

before(
  async () => {
    await ensureServices("prometheus");
    service = await startGinService(["--etcd", "", "--kafka", ""]);
    const post = (body: unknown) =>
      fetch(`${service.url}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    assert.equal((await post({ sku: "sku-001", quantity: 1, customer: "c-1" })).status, 201);
    assert.equal((await post({ sku: "sku-001", quantity: 0, customer: "c-1" })).status, 400);
    assert.equal((await fetch(`${service.url}/api/items?limit=5`)).status, 200);
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await removeTarget?.();
  await service?.stop();
});

/** `name{labels} value` lines of the scrape, as label strings → value. */
async function series(name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] === name) out.set(match[2] ?? "", Number(match[3]));
  }
  return out;
}

void test("the RED histogram has method, route template and status code labels", async () => {
  const counts = await series("http_server_request_duration_seconds_count");
  const label = (method: string, route: string, status: number) =>
    `{http_request_method="${method}",http_response_status_code="${status}",http_route="${route}"}`;
  assert.equal(counts.get(label("POST", "/orders", 201)), 1);
  assert.equal(counts.get(label("POST", "/orders", 400)), 1);
  assert.equal(counts.get(label("GET", "/api/items", 200)), 1);
  const buckets = await series("http_server_request_duration_seconds_bucket");
  assert.ok(
    [...buckets.keys()].some((k) => k.includes('le="0.005"')),
    "semconv bucket boundaries",
  );
});

void test("the SQLite histogram follows the database conventions", async () => {
  const counts = await series("db_client_operation_duration_seconds_count");
  const insert =
    '{db_collection_name="orders",db_operation_name="INSERT",db_system_name="sqlite",error_type=""}';
  assert.equal(counts.get(insert), 1);
  const select =
    '{db_collection_name="items",db_operation_name="SELECT",db_system_name="sqlite",error_type=""}';
  assert.equal(counts.get(select), 2, "the valid POST's catalogue check and the listing");
});

void test("orders_total counts one accepted and one rejected order", async () => {
  const orders = await series("orders_total");
  assert.equal(orders.get('{result="accepted"}'), 1);
  assert.equal(orders.get('{result="rejected"}'), 1);
  assert.equal(orders.get('{result="failed"}'), 0);
});

void test("the GC pause histogram has a 2 s boundary; Go and process collectors are there", async () => {
  const buckets = await series("go_sched_pauses_total_gc_seconds_bucket");
  assert.ok(buckets.has('{le="2"}') && buckets.has('{le="+Inf"}'), [...buckets.keys()].join(" "));
  assert.ok((await series("go_goroutines")).size === 1);
  assert.ok((await series("process_cpu_seconds_total")).size === 1);
  assert.ok((await series("process_resident_memory_bytes")).size === 1);
});

void test("Prometheus scrapes it and evaluates the seed's GC alert expression", async () => {
  removeTarget = await addScrapeTarget({ job, target: new URL(service.url).host });
  await waitForScrape(job);
  const accepted = await promQuery(`orders_total{job="${job}",result="accepted"}`);
  assert.equal(accepted[0]?.value, 1);
  const over2s =
    `increase(go_sched_pauses_total_gc_seconds_bucket{job="${job}",le="+Inf"}[1m])` +
    ` - ignoring(le) increase(go_sched_pauses_total_gc_seconds_bucket{job="${job}",le="2"}[1m])`;
  // increase() needs two scrapes.
  const gcOver2s = await waitFor(
    async () => {
      const result = await promQuery(over2s);
      return result.length === 1 ? result : undefined;
    },
    { what: "two scrapes of the GC histogram", timeoutMs: 20_000, intervalMs: 250 },
  );
  assert.equal(gcOver2s[0]?.value, 0, "no pause over 2 s in an idle test process");
});
