import { loadOf } from "../admin/admin-views.ts";
import { parseConfigText } from "../config/load.ts";
import type { TracewayConfig } from "../config/types.ts";
import { SnapshotRelay } from "../discovery/relayed-provider.ts";
import type { HealthEvents } from "../health/upstream-health.ts";
import { applyPoolStatus, type BackendStatus } from "../pool/pool-state.ts";
import { runBalancer, type RunningTraceway } from "../run/run-balancer.ts";
import { systemClock } from "../shared/clock.ts";
import { processMetricsOf } from "../telemetry/metrics-merge.ts";
import {
  isToWorker,
  type FromWorker,
  type PoolStates,
  type StartFailure,
  type ToWorker,
  type UpstreamLoads,
  type WorkerInit,
} from "./protocol.ts";

/** The worker that runs the instance's Kafka lag exporter (slots count from 1). */
export const LAG_EXPORTER_SLOT = 1;

/**
 * One worker of a multi-worker instance: the whole data path (balancer, telemetry, access log) on
 * the shared port, with its pools fed by the primary. Discovery snapshots arrive through a relayed
 * provider, active health verdicts, ejections and overrides as pool status; the worker reports its
 * own passive ejections back, answers metric collections, and drains when the primary says so (or
 * when the primary is gone). SIGINT is the primary's to act on: a Ctrl-C reaches the whole process
 * group, and the primary drains every worker once.
 */
export class WorkerProcess {
  readonly #relay = new SnapshotRelay();
  readonly #statuses = new Map<string, readonly BackendStatus[]>();
  #running: RunningTraceway | undefined;
  #stopping: Promise<void> | undefined;
  #port = 0;
  #slot = 0;

  /** Starts listening for the primary; resolves when this worker serves traffic. */
  start(): void {
    process.on("message", (message: unknown) => {
      if (isToWorker(message)) this.#handle(message);
    });
    process.on("disconnect", () => void this.#stop());
    process.on("SIGTERM", () => void this.#stop());
    process.on("SIGINT", () => undefined);
    process.on("SIGHUP", () => undefined);
    void send({ type: "ready" });
  }

  #handle(message: ToWorker): void {
    switch (message.type) {
      case "init":
        this.#init(message).catch(async (error: unknown) => {
          await send({ type: "failed", failure: startFailureOf(error) });
          process.exit(1);
        });
        return;
      case "pools":
        this.#applyPools(message.pools);
        if (message.id !== undefined) void send({ type: "applied", id: message.id });
        return;
      case "reload":
        this.#reload(message.id, message.config);
        return;
      case "collect":
        void this.#collect(message.id);
        return;
      case "load":
        void send({ type: "loads", id: message.id, upstreams: this.#loads() });
        return;
      case "shutdown":
        void this.#stop();
        return;
    }
  }

  async #init(init: WorkerInit): Promise<void> {
    this.#port = init.port;
    this.#slot = init.slot;
    const config = this.#parse(init.config);
    this.#applyPools(init.pools);
    this.#running = await runBalancer(config, {
      handleSignals: false,
      telemetry: {
        serveMetrics: false,
        instanceId: init.instanceId,
        resourceAttributes: { "process.pid": process.pid },
        logBindings: { pid: process.pid },
      },
      balancer: {
        discovery: (upstream) => this.#relay.provider(upstream),
        activeHealthChecks: false,
        reusePort: init.reusePort,
      },
      poolFacets: "load",
      listeningMessage: "worker listening",
      healthEvents: (events) => this.#reportingEjections(events),
    });
    this.#applyStatuses();
    const { port, url } = this.#running.balancer;
    await send({ type: "listening", port, url });
  }

  #parse(source: WorkerInit["config"]): TracewayConfig {
    const { config } = parseConfigText(source.text, { format: source.format, source: source.source });
    // The port the first worker bound when the file says 0; the same port otherwise. The admin API
    // is the primary's: one listener for the instance.
    const { admin: _primarys, ...rest } = config;
    const kafka = this.#kafkaOf(config);
    return { ...rest, server: { ...config.server, port: this.#port }, ...(kafka && { kafka }) };
  }

  /**
   * The lag exporter runs in one worker, slot {@link LAG_EXPORTER_SLOT}: one set of lag gauges
   * per instance (the primary adds the workers' series up, and the other workers export none), one
   * client polling the group offsets. A replacement of that worker takes its slot, and the exporter
   * with it. Bridges run in every worker: their consumers share the group's partitions.
   */
  #kafkaOf(config: TracewayConfig): TracewayConfig["kafka"] {
    const kafka = config.kafka;
    if (kafka === undefined || kafka.lag === undefined || this.#slot === LAG_EXPORTER_SLOT) return kafka;
    return { ...kafka, lag: undefined };
  }

  #applyPools(pools: PoolStates): void {
    for (const [name, state] of pools) {
      this.#statuses.set(name, state.status);
      // Members first, through the relayed provider (the registry reconciles them), then status.
      this.#relay.set(name, state.backends);
      const pool = this.#running?.balancer.pools.get(name);
      if (pool) applyPoolStatus(pool, state.status, systemClock);
    }
  }

  #applyStatuses(): void {
    for (const [name, pool] of this.#running?.balancer.pools ?? []) {
      const status = this.#statuses.get(name);
      if (status) applyPoolStatus(pool, status, systemClock);
    }
  }

  #reload(id: number, source: WorkerInit["config"]): void {
    const running = this.#running;
    if (!running) return;
    try {
      const config = this.#parse(source);
      running.reload(config);
      const names = new Set(config.upstreams.keys());
      this.#relay.retain(names);
      for (const name of this.#statuses.keys()) if (!names.has(name)) this.#statuses.delete(name);
      this.#applyStatuses();
      void send({ type: "reloaded", id });
    } catch (error) {
      // The primary validated the same text; only something local (the environment) can differ.
      running.logger.error({ err: error }, "worker could not apply the configuration its primary validated");
      void send({ type: "reloaded", id, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** This worker's traffic per backend, for the admin API its primary serves. */
  #loads(): UpstreamLoads {
    return [...(this.#running?.balancer.pools ?? [])].map(([name, pool]) => [
      name,
      pool.backends.map((b) => ({ id: b.id, ...loadOf(b, systemClock.now()) })),
    ]);
  }

  async #collect(id: number): Promise<void> {
    const metrics = await this.#running?.collectMetrics();
    await send({
      type: "metrics",
      id,
      metrics: metrics === undefined ? undefined : processMetricsOf(metrics),
    });
  }

  /** Ejections this worker's passive health decides also go to the primary, which shares them. */
  #reportingEjections(events: HealthEvents): HealthEvents {
    return {
      onHealthChange: (e) => events.onHealthChange(e),
      onEjection: (e) => {
        events.onEjection(e);
        const backend = this.#running?.balancer.pools
          .get(e.upstream)
          ?.backends.find((b) => b.label === e.backend);
        if (backend === undefined) return;
        const forMs = Math.max(0, e.untilMs - systemClock.now());
        void send({ type: "ejected", upstream: e.upstream, backend: backend.id, forMs, reason: e.reason });
      },
    };
  }

  #stop(): Promise<void> {
    return (this.#stopping ??= (async () => {
      try {
        await this.#running?.stop();
      } finally {
        process.exit(0);
      }
    })());
  }
}

/** Resolves once the message is written (or at once when the primary is gone). */
function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) resolve();
    else process.send(message, undefined, undefined, () => resolve());
  });
}

function startFailureOf(error: unknown): StartFailure {
  const err = error as NodeJS.ErrnoException & { address?: string; port?: number };
  return {
    message: err instanceof Error ? err.message : String(error),
    ...(err.code ? { code: err.code } : {}),
    ...(err.syscall ? { syscall: err.syscall } : {}),
    ...(err.address ? { address: err.address } : {}),
    ...(err.port !== undefined ? { port: err.port } : {}),
  };
}
