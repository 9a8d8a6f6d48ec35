/**
 * One readiness probe for scripts/services.sh: exits 0 when a kafkajs admin can list topics on the
 * broker given as the first argument and a group coordinator answers, 1 otherwise. services.sh calls it in a loop with its own deadline,
 * so this probe makes a single bounded attempt.
 */
import { Kafka, logLevel } from "kafkajs";

const broker = process.argv[2] ?? "127.0.0.1:19092";
const kafka = new Kafka({
  clientId: "traceway-services-ready",
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: 3000,
  retry: { retries: 0 },
});
const admin = kafka.admin();

try {
  await admin.connect();
  await admin.listTopics();
  // Finding a group coordinator creates __consumer_offsets, so the first test's consumer group does
  // not meet "coordinator not available" while the broker is still making it.
  await admin.describeGroups(["traceway-services-ready"]);
  process.exitCode = 0;
} catch (error) {
  process.stderr.write(`kafka not ready at ${broker}: ${String(error)}\n`);
  process.exitCode = 1;
} finally {
  await admin.disconnect().catch(() => undefined);
}
