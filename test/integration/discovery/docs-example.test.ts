import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import pino from "pino";
import { parseConfigText } from "../../../src/config/load.ts";
import { parseEtcdValue } from "../../../src/discovery/etcd-value.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startCli, type CliProcess } from "../../helpers/cli-process.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import { ensureServices, ETCD_ENDPOINT, REPO_ROOT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { startDiscovery, type DiscoveryUnderTest } from "./discovery-harness.ts";

// docs/discovery.md's examples, run: the config block loads as documented, and with it (pointed at
// the test's etcd) the balancer routes to a real service that the `traceway register` line registers.
const PAGE = join(REPO_ROOT, "docs", "discovery.md");
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: Etcd3;
let service: TestBackend;
let cli: CliProcess | undefined;
let d: DiscoveryUnderTest | undefined;
let balancer: RunningBalancer | undefined;
const cacheFile = join(tmpdir(), `traceway-docs-${randomUUID()}.json`);

before(async () => {
  await ensureServices("etcd");
  etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  service = await startBackend("docs-example");
});

after(async () => {
  await cli?.stop();
  await d?.stop();
  await balancer?.close();
  await rm(cacheFile, { force: true });
  await service.kill();
  await etcd.delete().prefix(prefix);
  etcd.close();
});

void test("the config example loads with no problems and no warnings", () => {
  const { config, warnings } = parseConfigText(markdownBlock(PAGE, "## Configure an upstream"), { env: {} });
  assert.deepEqual(warnings, []);
  const api = config.upstreams.get("api");
  assert.deepEqual(api?.backends, []);
  assert.deepEqual(api?.discovery?.etcd, {
    endpoints: ["http://127.0.0.1:2379"],
    prefix: "/services/api/",
    format: "auto",
    auth: undefined,
    tls: undefined,
    dialTimeoutMs: 2000,
    cacheFile: "/var/lib/traceway/api-backends.json",
  });
  assert.equal(api?.healthCheck.enabled, true);
});

/** The page's text with the example's etcd, prefix, service and cache file replaced by the test's. */
function ours(text: string): string {
  return text
    .replaceAll("http://127.0.0.1:2379", ETCD_ENDPOINT)
    .replaceAll("/services/api/", prefix)
    .replaceAll("http://127.0.0.1:8001", service.url)
    .replaceAll("/var/lib/traceway/api-backends.json", cacheFile);
}

void test("the traceway register example registers the service, and the configured balancer routes to it", async () => {
  const yaml = `${ours(markdownBlock(PAGE, "## Configure an upstream"))}\nserver: { listen: 127.0.0.1:0 }\n`;
  const { config } = parseConfigText(yaml, { env: {} });
  balancer = await startBalancer({ config, logger: pino({ level: "silent" }) });
  const before = await fetch(`${balancer.url}/`);
  assert.equal(before.status, 503, "no backend before the service registers");
  assert.match(
    await before.text(),
    /TRACEWAY_ERR_NO_HEALTHY_BACKEND.*none registered, or discovery has not answered yet/,
  );

  const command = ours(markdownBlock(PAGE, "## `traceway register`", "sh")).replace(/\\\n/g, " ");
  const [program, ...args] = command.trim().split(/\s+/);
  assert.equal(program, "traceway");
  cli = startCli(args);
  const routed = await waitFor(
    async () => {
      const response = await fetch(`${balancer?.url ?? ""}/`);
      return response.status === 200 ? response.text() : undefined;
    },
    { what: "the balancer to route to the registered service", timeoutMs: 15_000 },
  );
  assert.equal(routed, "docs-example");

  d = await startDiscovery({ endpoint: ETCD_ENDPOINT, prefix });
  assert.deepEqual(d.sets.at(-1), [
    { url: service.url, weight: 2, backup: false, metadata: { version: "1.4.2" } },
  ]);
  const key = `${prefix}127.0.0.1:${service.port}`;
  const value = await etcd.get(key).string();
  assert.ok(value !== null && parseEtcdValue("traceway", value).ok, `${key} holds a traceway value`);

  cli.child.kill("SIGTERM");
  assert.equal(await cli.exited, 0);
  await d.waitForUrls([], "the service to leave after SIGTERM");
  await waitFor(async () => (await etcd.get(key).string()) === null, { what: "the key to be gone" });
});
