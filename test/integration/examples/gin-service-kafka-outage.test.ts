import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import type { Consumer, KafkaMessage } from "kafkajs";
import { ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { BUILD_TIMEOUT_MS, startGinService, uniqueNames } from "./example-processes.ts";
import type { GinService } from "./example-processes.ts";

// Kafka unreachable: POST /orders still answers (202, stored), and the outbox sends the order once
// the broker is back, in the trace of the request that made it. The service's bootstrap address is a
// port of this test, where a relay to the real broker is opened only later.
const { topic } = uniqueNames("kafka-outage");
const kafka = new Kafka({
  clientId: "kafka-outage-test",
  brokers: [KAFKA_BROKER],
  logLevel: logLevel.NOTHING,
});
let bootstrapPort: number;
let relay: Server | undefined;
const relayed = new Set<Socket>();
let service: GinService;
let reader: Consumer;
const messages: KafkaMessage[] = [];

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function openRelay(port: number): Promise<Server> {
  const [host, target] = KAFKA_BROKER.split(":") as [string, string];
  const server = createServer((client) => {
    const upstream = connect(Number(target), host);
    for (const s of [client, upstream]) {
      relayed.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => relayed.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  return server;
}

before(
  async () => {
    await ensureServices("kafka");
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    reader = kafka.consumer({ groupId: `${topic}-reader` });
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({ eachMessage: ({ message }) => Promise.resolve(void messages.push(message)) });
    bootstrapPort = await freePort();
    const broker = `127.0.0.1:${bootstrapPort}`;
    service = await startGinService([
      "--etcd",
      "",
      "--kafka",
      broker,
      "--topic",
      topic,
      "--kafka-timeout",
      "1s",
    ]);
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await service?.stop();
  for (const s of relayed) s.destroy();
  await new Promise<void>((resolve) => (relay ? relay.close(() => resolve()) : resolve()));
  await reader?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.deleteGroups([`${topic}-reader`]).catch(() => undefined);
  await admin.disconnect();
});

async function metric(line: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const found = text.split("\n").find((l) => line.test(l));
  return found === undefined ? undefined : Number(found.split(" ").at(-1));
}

void test("an order made while Kafka is down answers 202 and reaches the topic once Kafka is back", async () => {
  const traceId = randomBytes(16).toString("hex");
  const response = await fetch(`${service.url}/orders`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01`,
    },
    body: JSON.stringify({ sku: "sku-002", quantity: 1, customer: "c-outage" }),
  });
  assert.equal(response.status, 202);
  const order = (await response.json()) as { id: string; published: boolean };
  assert.equal(order.published, false);
  assert.ok(((await metric(/^messaging_client_sent_messages_total\{error_type="[^"]+"/)) ?? 0) >= 1);
  await waitFor(async () => (await metric(/^orders_outbox_pending /)) === 1, {
    what: "the order counted as pending",
    timeoutMs: 15_000,
  });

  relay = await openRelay(bootstrapPort);
  const message = await waitFor(() => messages.find((m) => m.key?.toString() === order.id), {
    what: `order ${order.id} sent by the outbox`,
    timeoutMs: 60_000,
    intervalMs: 200,
  });
  assert.match(message.headers?.["traceparent"]?.toString() ?? "", new RegExp(`^00-${traceId}-`));
  await service.waitForLine("order published from outbox", (l) => l["order_id"] === order.id);
  const stored = (await (await fetch(`${service.url}/orders/${order.id}`)).json()) as { published: boolean };
  assert.equal(stored.published, true);
  await waitFor(async () => (await metric(/^orders_outbox_pending /)) === 0, {
    what: "the outbox empty",
    timeoutMs: 15_000,
  });
});
