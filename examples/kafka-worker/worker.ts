/**
 * The Kafka consumer of the traceway example system (docs/gin-service.md): it consumes the orders that
 * examples/gin-service produces, continues each message's trace (the `process <topic>` span is a child
 * of the Gin service's `send <topic>` span), reports consumer lag, and logs JSON lines with trace ids.
 *
 *   node examples/kafka-worker/worker.ts --brokers 127.0.0.1:9092 --otlp http://127.0.0.1:4318
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import type { EachMessagePayload, LogEntry } from "kafkajs";
import type { Logger } from "pino";
import { createLagMonitor, instrumentConsumer } from "traceway/interceptors";
import { parseOptions, USAGE, UsageError } from "./options.ts";
import type { WorkerOptions } from "./options.ts";
import { startTelemetry } from "./telemetry.ts";
import type { WorkerTelemetry } from "./telemetry.ts";

/** The order JSON the Gin service sends (key = id). */
interface Order {
  id: string;
  sku: string;
  quantity: number;
}

function parseOrder(value: Buffer | null): Order | undefined {
  try {
    const order = JSON.parse(value?.toString("utf8") ?? "") as Partial<Order>;
    const valid =
      typeof order.id === "string" && typeof order.sku === "string" && typeof order.quantity === "number";
    return valid ? (order as Order) : undefined;
  } catch {
    return undefined;
  }
}

/** kafkajs' own log entries as lines of the worker's logger, so every line has the seed's fields. */
function kafkajsLine(logger: Logger, { level, namespace, log }: LogEntry): void {
  // `error` is renamed: a plain string there collides with ECS's error object.
  const { message, timestamp: _timestamp, logger: _name, error, ...fields } = log;
  const line = { component: `kafkajs.${namespace}`, ...fields, error_message: error as unknown };
  if (level === logLevel.ERROR) logger.error(line, message);
  else if (level === logLevel.WARN) logger.warn(line, message);
  else logger.info(line, message);
}

/** The Gin service creates the topic too; whichever starts first makes it with the same partitions. */
async function ensureTopic(kafka: Kafka, options: WorkerOptions): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(options.topic)) {
      await admin.createTopics({ topics: [{ topic: options.topic, numPartitions: options.partitions }] });
    }
  } finally {
    await admin.disconnect();
  }
}

async function run(options: WorkerOptions, telemetry: WorkerTelemetry): Promise<() => Promise<void>> {
  const { logger, tracerProvider, meterProvider } = telemetry;
  const kafka = new Kafka({
    clientId: options.serviceName,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => kafkajsLine(logger, entry),
  });
  await ensureTopic(kafka, options);
  const consumer = instrumentConsumer(
    kafka.consumer({ groupId: options.group, allowAutoTopicCreation: false }),
    {
      groupId: options.group,
      tracerProvider,
      meterProvider,
    },
  );
  const lag = createLagMonitor({
    kafka,
    groupIds: [options.group],
    intervalMs: options.lagIntervalMs,
    meterProvider,
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) return; // kafkajs retries retriable errors by itself
    logger.fatal(
      { error_message: payload.error.message },
      "consumer stopped on an error it cannot retry; exiting",
    );
    process.exit(1); // a supervisor (npm run stack, compose) restarts the worker
  });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }: EachMessagePayload) => {
      const order = parseOrder(message.value);
      if (order === undefined) {
        // Skipped, not retried: a malformed message would block its partition forever.
        logger.warn({ partition, offset: message.offset }, "message is not an order; skipped");
        return;
      }
      await sleep(options.workMs); // the "work": stands in for a call to a payment service
      logger.info(
        { order_id: order.id, sku: order.sku, quantity: order.quantity, partition },
        "order processed",
      );
    },
  });
  await lag.start();
  return async () => {
    // disconnect() lets the running handler finish, commits the offsets and leaves the group.
    await consumer.disconnect();
    await lag.stop();
  };
}

async function main(): Promise<void> {
  let options: WorkerOptions | "help";
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`kafka-worker: ${error.message} (see --help)\n`);
    process.exit(2);
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const telemetry = await startTelemetry(options);
  const { logger } = telemetry;
  let stop: () => Promise<void>;
  try {
    stop = await run(options, telemetry);
  } catch (error) {
    logger.error({ error_message: (error as Error).message, brokers: options.brokers }, "start failed");
    await telemetry.shutdown();
    process.exit(1);
  }
  logger.info(
    { topic: options.topic, group: options.group, brokers: options.brokers, metrics: telemetry.metricsUrl },
    "consuming",
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  logger.info({ signal }, "shutdown started");
  await stop();
  await telemetry.shutdown();
  logger.info("stopped");
}

await main();
