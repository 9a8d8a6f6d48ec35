/**
 * A Kafka 3.9 broker of the test's own, on ports of its own, for tests that must stop or restart
 * the broker (the shared one on 127.0.0.1:19092 serves every other test and is never touched).
 * It runs from the jars scripts/services.sh cached under $TRACEWAY_CACHE_DIR, with the KRaft
 * settings scripts/lib/kafka.sh writes for the shared broker, in a scratch folder removed at the end.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { closedPort } from "./http-backend.ts";
import { ensureServices, REPO_ROOT } from "./services.ts";
import { waitFor } from "./wait-for.ts";

const run = promisify(execFile);
const KAFKA_VERSION = process.env["TRACEWAY_KAFKA_VERSION"] ?? "3.9.2";
/** A cold JVM on a busy 2-core machine takes a while to serve metadata. */
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

export interface PrivateKafka {
  /** `127.0.0.1:<port>` for kafkajs `brokers`. */
  readonly broker: string;
  /** Stops the broker (SIGTERM, a clean shutdown); its data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data, and waits until it serves metadata. */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  destroy(): Promise<void>;
}

function cacheDir(): string {
  return process.env["TRACEWAY_CACHE_DIR"] ?? join(REPO_ROOT, ".cache");
}

/** The properties scripts/lib/kafka.sh writes for a KRaft broker on these ports. */
async function properties(port: number, controllerPort: number, dataDir: string): Promise<string> {
  const script = `source "$ROOT/scripts/lib/common.sh"; source "$ROOT/scripts/lib/kafka.sh"; kafka_kraft_properties ${port} ${controllerPort} "${dataDir}"`;
  const { stdout } = await run("bash", ["-c", script], {
    env: {
      ...process.env,
      ROOT: REPO_ROOT,
      CACHE_DIR: cacheDir(),
      SERVICES_DIR: join(REPO_ROOT, ".services"),
    },
  });
  return `${stdout}auto.create.topics.enable=true\nnum.network.threads=2\nnum.io.threads=2\n`;
}

/** Formats and starts a private single-node broker; resolves once a client can use it. */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  // The jars come from the shared broker's set-up (resolved once, cached).
  await ensureServices("kafka");
  const libs = join(cacheDir(), "kafka", KAFKA_VERSION, "libs");
  if (!existsSync(join(libs, ".complete"))) throw new Error(`no Kafka jars in ${libs}`);
  const dir = await mkdtemp(join(tmpdir(), "traceway-private-kafka-"));
  const port = await closedPort();
  const controllerPort = await closedPort();
  const config = join(dir, "server.properties");
  await writeFile(config, await properties(port, controllerPort, join(dir, "data")));
  const log4j = join(dir, "log4j.properties");
  await writeFile(
    log4j,
    "log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n",
  );
  const jvm = [
    "-Xmx384m",
    "-Xms64m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
  ];
  const java = (args: string[]): string[] => [
    ...jvm,
    `-Dlog4j.configuration=file:${log4j}`,
    "-cp",
    `${libs}/*`,
    ...args,
  ];
  const clusterId = randomBytes(16).toString("base64url");
  await run("java", java(["kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config]), {
    timeout: 120_000,
  });

  const broker = `127.0.0.1:${port}`;
  const logFile = createWriteStream(join(dir, "kafka.log"), { flags: "a" });
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const proc = spawn("java", java(["kafka.Kafka", config]), { stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout?.pipe(logFile, { end: false });
    proc.stderr?.pipe(logFile, { end: false });
    child = proc;
    await waitFor(
      async () => {
        if (proc.exitCode !== null)
          throw new Error(`broker exited with ${proc.exitCode}; see ${dir}/kafka.log`);
        return ready(broker);
      },
      { what: `private Kafka on ${broker}`, timeoutMs: READY_TIMEOUT_MS, intervalMs: 500 },
    );
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    broker,
    stop,
    start,
    async destroy() {
      await stop();
      logFile.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function ready(broker: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: "private-kafka-ready",
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    // A group coordinator answering means __consumer_offsets exists: consumers can join.
    await admin.describeGroups(["private-kafka-ready"]);
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
