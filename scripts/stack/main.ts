/**
 * `npm run stack -- up|down|status`: the example system of docs/stack.md on loopback, without Docker.
 * The same topology as docker-compose.yml: Kafka, etcd, Prometheus with the alert rules, Alertmanager,
 * Jaeger, three Gin services registering in etcd, two Kafka workers, traceway, an alert webhook and a
 * gentle load.
 */
import { join } from "node:path";
import { down } from "./down.ts";
import { parseOptions, USAGE, UsageError } from "./options.ts";
import type { StackOptions } from "./options.ts";
import { status } from "./status.ts";
import { up } from "./up.ts";

const ROOT = join(import.meta.dirname, "..", "..");

async function main(): Promise<number> {
  let options: StackOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env, ROOT);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`npm run stack: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  try {
    if (options.action === "up") await up(options);
    else if (options.action === "down") await down(options);
    else return await status(options);
    return 0;
  } catch (error) {
    process.stderr.write(`[stack] FAILED: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main();
