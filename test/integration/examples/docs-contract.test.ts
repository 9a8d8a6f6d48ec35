import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { Etcd3 } from "etcd3";
import { Kafka, logLevel } from "kafkajs";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import { ensureServices, ETCD_ENDPOINT, KAFKA_BROKER, REPO_ROOT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { BUILD_TIMEOUT_MS, ginServiceBinary, startGinService, uniqueNames } from "./example-processes.ts";
import type { GinService } from "./example-processes.ts";

// docs/gin-service.md is the contract other parts build on: its tables and examples are checked
// against the running programs here.
const DOC = join(REPO_ROOT, "docs", "gin-service.md");
const run = promisify(execFile);
const { prefix, topic } = uniqueNames("docs");
let etcd: Etcd3;
let service: GinService;

before(
  async () => {
    await ensureServices("etcd", "kafka");
    etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
    service = await startGinService([
      "--etcd",
      ETCD_ENDPOINT,
      "--prefix",
      prefix,
      "--kafka",
      KAFKA_BROKER,
      "--topic",
      topic,
    ]);
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await service?.stop();
  await etcd?.delete().prefix(prefix);
  etcd?.close();
  const admin = new Kafka({ brokers: [KAFKA_BROKER], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, ...byHandTopics] }).catch(() => undefined);
  await admin.disconnect();
});

const byHandTopics: string[] = [];

/** Rows of the first markdown table under `heading`, cells without backticks. */
function tableRows(heading: string): string[][] {
  const lines = readFileSync(DOC, "utf8").split("\n");
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `no heading ${heading}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("#")) break;
    if (!line.startsWith("|")) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim().replaceAll("`", "")),
    );
  }
  return rows.slice(2); // header and separator
}

void test("the flags table is what --help prints: every flag, its variable and default", async () => {
  const { stdout } = await run(await ginServiceBinary(), ["--help"]);
  const help = [...stdout.matchAll(/^ {2}--(\S+)\s.*\(env (\S+), default "([^"]*)"\)$/gm)].map((m) => [
    m[1],
    m[2],
    m[3],
  ]);
  const documented = tableRows("## Flags and environment").map(([flag, variable, def]) => [
    flag!.replace(/^--/, ""),
    variable,
    def!.startsWith("(") ? "" : def,
  ]);
  const byFlag = (a: Array<string | undefined>, b: Array<string | undefined>) => a[0]!.localeCompare(b[0]!);
  assert.deepEqual(documented.sort(byFlag), help.sort(byFlag));
});

void test("every metric of the table is exposed with that type and exactly those labels", async () => {
  await service.waitForLine("registered in etcd");
  const order = { sku: "sku-001", quantity: 1, customer: "c" };
  const headers = { "content-type": "application/json" };
  const post = (body: string) => fetch(`${service.url}/orders`, { method: "POST", headers, body });
  assert.equal((await post(JSON.stringify(order))).status, 201);
  assert.equal((await post("{}")).status, 400);
  const text = await (await fetch(`${service.url}/metrics`)).text();
  for (const [name, type, labels] of tableRows("## Metrics")) {
    assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, "m"), `${name} is a ${type}`);
    const sample = type === "histogram" ? `${name}_count` : name!;
    const line = text.split("\n").find((l) => l.startsWith(`${sample}{`) || l.startsWith(`${sample} `));
    assert.ok(line !== undefined, `a sample of ${name}`);
    const seen = [...(line.match(/\{(.*)\}/)?.[1] ?? "").matchAll(/(\w+)="/g)].map((m) => m[1]);
    const expected = labels === "" ? [] : labels!.split(",").map((l) => l.trim());
    assert.deepEqual(seen.sort(), expected.sort(), `labels of ${name}`);
  }
});

void test("the etcd value example has the fields of a real registration", async () => {
  const example = JSON.parse(markdownBlock(DOC, "## etcd registration", "json")) as Record<string, unknown>;
  const value = await waitFor(
    async () => (await etcd.get(`${prefix}${service.advertise}`).string()) ?? undefined,
    {
      what: "the registration",
      timeoutMs: 15_000,
    },
  );
  const real = JSON.parse(value) as Record<string, unknown>;
  assert.deepEqual(Object.keys(real).sort(), Object.keys(example).sort());
  assert.equal(real["Op"], example["Op"]);
  const keys = (o: unknown) => Object.keys(o as object).sort();
  assert.deepEqual(keys(real["Metadata"]), keys(example["Metadata"]));
});

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

void test("'Run both by hand' works as written: the order is accepted and the worker logs its trace id", async () => {
  const docs = uniqueNames("docs-by-hand");
  byHandTopics.push(docs.topic);
  const env = {
    ...process.env,
    PORT: String(await freePort()),
    PREFIX: docs.prefix,
    TOPIC: docs.topic,
    WORKER_METRICS_PORT: "0",
  };
  // Its own process group, so the test can stop both programs the block starts (and only those).
  const start = spawn("bash", ["-c", `${markdownBlock(DOC, "### Start them", "sh")}\nwait`], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  start.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  const exited = once(start, "exit");
  try {
    await waitFor(() => out.includes('"msg":"listening"') && out.includes('"msg":"consuming"'), {
      what: "both programs started",
      timeoutMs: 60_000,
    });
    const { stdout } = await run("bash", ["-c", markdownBlock(DOC, "### Send an order", "sh")], { env });
    const order = JSON.parse(stdout) as { id: string; published: boolean };
    assert.equal(order.published, true);
    await waitFor(() => out.includes(`"order_id":"${order.id}"`) && out.includes('"msg":"order processed"'), {
      what: "the worker's line for the order",
      timeoutMs: 30_000,
    });
    const processed = out
      .split("\n")
      .find((l) => l.includes('"msg":"order processed"') && l.includes(order.id));
    assert.match(processed ?? "", /"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"/);
  } finally {
    process.kill(-start.pid!, "SIGTERM");
    await exited;
    await waitFor(() => (out.match(/"msg":"stopped"/g) ?? []).length === 2, {
      what: "both programs stopped",
      timeoutMs: 30_000,
    });
    await etcd.delete().prefix(docs.prefix);
  }
});
