import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { ConfigSource, LoadedConfig } from "../config/load.ts";
import type { TracewayConfig } from "../config/types.ts";
import type { Served } from "../run/served.ts";
import { startTelemetry, type Telemetry } from "../telemetry/setup.ts";
import { ControlPlane } from "./control-plane.ts";
import { PrimaryAdmin } from "./primary-admin.ts";
import { InstanceMetrics } from "./instance-metrics.ts";
import { reusePortSupported } from "./listen-mode.ts";
import { ensurePortFree, listenError } from "./port-check.ts";
import type { FromWorker } from "./protocol.ts";
import { WorkerSet, WorkerStartError } from "./worker-set.ts";

/** How long a reload waits for every worker to confirm it serves the new config. */
const RELOAD_ACK_TIMEOUT_MS = 10_000;
/** How long an admin change waits for every worker to confirm it is in force. */
const SYNC_TIMEOUT_MS = 2000;
/** After the drain deadline, how long workers get to flush logs and spans before they are killed. */
const EXIT_GRACE_MS = 5000;

type Loaded = LoadedConfig & { readonly source: ConfigSource };

/**
 * The primary of a multi-worker instance (docs/workers.md): starts `count` workers on the shared
 * port and owns what must exist once per instance — discovery, active health checks, the pools'
 * shared state, the Prometheus endpoint (every worker's metrics added up), reloads and signals.
 * It serves no traffic itself. SIGTERM/SIGINT drain every worker, then the primary exits; a
 * second signal kills them at once.
 */
export async function servePrimary(initial: Loaded, count: number): Promise<Served> {
  let current = initial;
  // One id for the whole instance: every worker's spans and metrics carry it (and their own process.pid).
  const instanceId = initial.config.telemetry.serviceInstanceId ?? randomUUID();
  const reusePort = reusePortSupported();
  // Filled in below: the scrape needs the workers and the control plane, which need the telemetry.
  const late: { workers?: WorkerSet; plane?: ControlPlane; metrics?: InstanceMetrics } = {};
  const telemetry = await startTelemetry(current.config, {
    instanceId,
    logBindings: { pid: process.pid },
    metricsCollector: (own) =>
      (late.metrics = new InstanceMetrics(
        own,
        { collect: async (timeoutMs) => (await late.workers?.collect(timeoutMs)) ?? new Map() },
        () => late.plane?.refresh(),
      )),
  });
  const { logger } = telemetry;
  const plane = (late.plane = new ControlPlane({
    logger,
    healthEvents: telemetry.healthEvents,
    discoveryObserver: telemetry.discoveryObserver,
  }));
  const observed = observePools(plane, telemetry);
  plane.apply(current.config);
  observed.sync();

  const set = new WorkerSet({
    count,
    logger,
    init: (slot, port) => ({
      type: "init",
      config: current.source,
      slot,
      instanceId,
      port,
      reusePort,
      pools: plane.states(),
    }),
    onMessage: (message) => onWorkerMessage(message, plane),
    onExit: (id) => late.metrics?.retire(id),
  });
  late.workers = set;
  plane.onState((upstream, state) => set.broadcast({ type: "pools", pools: [[upstream, state]] }));

  const { host, port } = current.config.server;
  let url: string;
  try {
    // SO_REUSEPORT would let this instance share a port another traceway holds: refuse instead.
    if (reusePort && port !== 0) await ensurePortFree(host, port);
    url = await set.start(port);
  } catch (error) {
    set.kill();
    await plane.stop();
    await telemetry.shutdown();
    throw error instanceof WorkerStartError ? (listenError(error.failure, { host, port }) ?? error) : error;
  }
  // The admin API, once for the instance: its reads and changes are of the state the primary owns.
  const admin = new PrimaryAdmin({
    plane,
    loads: (timeoutMs) => set.loads(timeoutMs),
    logger,
    onChange: (change) => telemetry.control.onAdminChange(change),
    syncWorkers: async () => {
      const late = await set.syncPools(plane.states(), SYNC_TIMEOUT_MS);
      if (late.length > 0) logger.warn({ workers: late }, "workers did not confirm an admin change in time");
    },
  });
  try {
    await admin.apply(current.config.admin);
  } catch (error) {
    await set.stop(current.config.server.shutdownTimeoutMs + EXIT_GRACE_MS);
    await plane.stop();
    await telemetry.shutdown();
    throw error;
  }
  installSignals(logger, async () => {
    await admin.close();
    await stopAll(logger, set, plane, telemetry, current.config);
  });
  logger.info(
    { listen_url: url, workers: count, pids: Object.fromEntries(set.pids()), reuse_port: reusePort },
    "traceway listening",
  );

  return {
    logger,
    async reload(next) {
      plane.apply(next.config);
      observed.sync();
      current = next;
      set.broadcast({ type: "pools", pools: plane.states() });
      const problems = await set.reload(next.source, RELOAD_ACK_TIMEOUT_MS);
      if (problems.length > 0) logger.error({ problems }, "some workers did not apply the configuration");
      await admin.apply(next.config.admin);
      const upstreams = [...next.config.upstreams.keys()];
      plane.feed.publish({ type: "reload", outcome: "applied", upstreams, problems });
    },
    rejected: (problems) =>
      plane.feed.publish({ type: "reload", outcome: "rejected", upstreams: [], problems: [...problems] }),
  };
}

function onWorkerMessage(message: FromWorker, plane: ControlPlane): void {
  if (message.type === "ejected")
    plane.takeEjection(message.upstream, message.backend, message.forMs, message.reason);
}

/** Health series (backend up, transitions) of every pool, reported once for the instance. */
function observePools(plane: ControlPlane, telemetry: Telemetry): { sync(): void } {
  const observed = new Map<string, { pool: unknown; off: () => void }>();
  return {
    sync() {
      for (const [name, entry] of observed) {
        if (plane.pools.get(name) === entry.pool) continue;
        entry.off();
        observed.delete(name);
      }
      for (const [name, pool] of plane.pools)
        if (!observed.has(name)) observed.set(name, { pool, off: telemetry.observePool(pool, "health") });
    },
  };
}

function installSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

async function stopAll(
  logger: Logger,
  set: WorkerSet,
  plane: ControlPlane,
  telemetry: Telemetry,
  config: TracewayConfig,
): Promise<void> {
  logger.info({ workers: [...set.pids().values()] }, "shutting down: draining every worker");
  await set.stop(config.server.shutdownTimeoutMs + EXIT_GRACE_MS);
  await plane.stop();
  await telemetry.shutdown();
}
