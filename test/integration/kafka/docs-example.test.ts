import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import { ensureServices, KAFKA_BROKER, REPO_ROOT } from "../../helpers/services.ts";

// The first `ts` block under "## Kafka" in README.md is the Kafka example: run it verbatim (only the
// package specifier is pointed at the source tree) against the real broker.
const run = promisify(execFile);
const exampleDir = join(REPO_ROOT, ".cache", "docs-examples");
const exampleFile = join(exampleDir, `kafka-${randomUUID()}.ts`);
const topic = `traceway-docs-${randomUUID()}`;

after(async () => {
  await rm(exampleFile, { force: true });
  const admin = new Kafka({ brokers: [KAFKA_BROKER], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

function extractExample(): string {
  // Throws when README.md has no ```ts block between "## Kafka" and the next "## " heading.
  return markdownBlock(join(REPO_ROOT, "README.md"), "## Kafka", "ts");
}

void test("the README ## Kafka example runs and produces one connected trace", async (t) => {
  await ensureServices("kafka");
  const source = extractExample();
  assert.ok(source.includes(`from "traceway/interceptors"`), "the example imports the public entry point");
  const entry = relative(exampleDir, join(REPO_ROOT, "interceptors", "index.ts"));
  await mkdir(exampleDir, { recursive: true });
  await writeFile(
    exampleFile,
    source.replace(`from "traceway/interceptors"`, `from ${JSON.stringify(entry)}`),
  );

  const { stdout } = await run(
    join(REPO_ROOT, "node_modules", ".bin", "node"),
    ["--import", join(REPO_ROOT, "test", "integration", "kafka", "docs-example-otel.ts"), exampleFile],
    {
      cwd: REPO_ROOT,
      timeout: 90_000,
      env: { ...process.env, KAFKA_BROKER, KAFKA_TOPIC: topic, KAFKA_GROUP: `traceway-docs-${randomUUID()}` },
    },
  );
  for (const line of stdout.split("\n").filter((l) => l.startsWith("processed") || l.startsWith("lag"))) {
    t.diagnostic(line);
  }
  assert.match(stdout, new RegExp(`processed ${topic}\\[\\d\\]@0: \\{"total":42\\}`));
  assert.match(stdout, /^lag .* = \d+ \((OK|WARN|STALL|STOP)\)$/m);

  const spansLine = stdout.split("\n").find((l) => l.startsWith("SPANS "));
  const spans = JSON.parse(spansLine?.slice("SPANS ".length) ?? "[]") as {
    name: string;
    traceId: string;
    spanId: string;
    parentSpanId?: string;
  }[];
  const send = spans.find((s) => s.name === `send ${topic}`);
  const processSpan = spans.find((s) => s.name === `process ${topic}`);
  assert.ok(send && processSpan, `send and process spans recorded: ${spans.map((s) => s.name).join(", ")}`);
  assert.equal(processSpan.traceId, send.traceId, "the consumer continues the producer's trace");
  assert.equal(processSpan.parentSpanId, send.spanId);
});
