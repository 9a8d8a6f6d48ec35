import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { parseConfigText } from "../../../src/config/load.ts";
import { parseEtcdValue } from "../../../src/discovery/etcd-value.ts";
import { startCli, type CliProcess } from "../../helpers/cli-process.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import { ensureServices, ETCD_ENDPOINT, REPO_ROOT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { startDiscovery, type DiscoveryUnderTest } from "./discovery-harness.ts";

// docs/discovery.md's examples, run: the config block loads as documented, and the
// `traceway register` line registers a real service that an etcd-discovered upstream then sees.
const PAGE = join(REPO_ROOT, "docs", "discovery.md");
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: Etcd3;
let service: TestBackend;
let cli: CliProcess | undefined;
let d: DiscoveryUnderTest | undefined;

before(async () => {
  await ensureServices("etcd");
  etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  service = await startBackend("docs-example");
});

after(async () => {
  await cli?.stop();
  await d?.stop();
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

void test("the traceway register example registers the service, and discovery sees it", async () => {
  const command = markdownBlock(PAGE, "## `traceway register`", "sh")
    .replace(/\\\n/g, " ")
    .replaceAll("http://127.0.0.1:2379", ETCD_ENDPOINT)
    .replaceAll("/services/api/", prefix)
    .replaceAll("http://127.0.0.1:8001", service.url);
  const [program, ...args] = command.trim().split(/\s+/);
  assert.equal(program, "traceway");
  cli = startCli(args);
  d = await startDiscovery({ endpoint: ETCD_ENDPOINT, prefix });
  await d.waitForUrls([service.url], "the registered service to be discovered", 15_000);
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
