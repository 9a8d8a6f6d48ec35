import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { runDocsExample } from "../../helpers/docs-example.ts";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import { ensureServices, KAFKA_BROKER, REPO_ROOT } from "../../helpers/services.ts";

// The first `ts` block under "## Example" in docs/kafka.md is the Kafka example: run it verbatim against
// the real broker, with SDK providers registered first so its spans can be checked.
const topic = `traceway-docs-${randomUUID()}`;

after(async () => {
  const admin = new Kafka({ brokers: [KAFKA_BROKER], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

const PAGE = "docs/kafka.md";
const HEADING = "## Example";

void test("the docs/kafka.md example runs and produces one connected trace", async (t) => {
  await ensureServices("kafka");
  // Throws when the page has no ```ts block between the heading and the next "## " heading.
  const source = markdownBlock(join(REPO_ROOT, PAGE), HEADING, "ts");
  assert.ok(source.includes(`from "traceway/interceptors"`), "the example imports the public entry point");

  const stdout = await runDocsExample(PAGE, HEADING, {
    preload: join(REPO_ROOT, "test", "integration", "kafka", "docs-example-otel.ts"),
    timeoutMs: 90_000,
    env: { KAFKA_BROKER, KAFKA_TOPIC: topic, KAFKA_GROUP: `traceway-docs-${randomUUID()}` },
  });
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
