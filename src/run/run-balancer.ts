import type { ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { Logger } from "pino";
import type { AdminChange } from "../admin/admin-app.ts";
import { startAdmin, type RunningAdmin } from "../admin/admin-server.ts";
import { ConfigError } from "../config/config-error.ts";
import { BALANCER_RESTART_KEYS, restartNeeded, TELEMETRY_RESTART_KEYS } from "../config/restart-keys.ts";
import type { AdminConfig, TracewayConfig } from "../config/types.ts";
import { startKafka, type KafkaRuntime } from "../kafka/kafka-runtime.ts";
import type { HealthEvents } from "../health/upstream-health.ts";
import { startBalancer, type BalancerOptions, type RunningBalancer } from "../server/balancer.ts";
import type { PoolFacets } from "../telemetry/pool-metrics.ts";
import { startTelemetry, type TelemetryOptions } from "../telemetry/setup.ts";
import { PoolObservations } from "./pool-observations.ts";

export interface RunningTraceway {
  readonly balancer: RunningBalancer;
  /** Kafka bridges and the lag exporter (`kafka` in the config). */
  readonly kafka: KafkaRuntime;
  readonly logger: Logger;
  readonly metricsUrl: string | undefined;
  /** The admin API's URL while it runs (`admin` in the config). */
  adminUrl(): string | undefined;
  /** Resolves when the admin listener has taken the last reload's `admin` settings. */
  adminSettled(): Promise<void>;
  /**
   * Apply a validated config to the running balancer and logger.
   * @throws ConfigError naming every changed key that needs a restart; nothing is applied then.
   */
  reload(config: TracewayConfig): void;
  /** This process's metrics now; `undefined` when Prometheus is off. */
  collectMetrics(): Promise<ResourceMetrics | undefined>;
  stop(): Promise<void>;
}

/** How {@link runBalancer} runs: as the whole instance (the defaults), or as one worker of it. */
export interface RunHooks {
  readonly onStopped?: () => Promise<void>;
  /**
   * Drain and exit on SIGTERM/SIGINT (default true). A worker is told when by its primary; tests
   * run several in one process.
   */
  readonly handleSignals?: boolean;
  /** Test hooks of the telemetry pipeline (metric readers, log destination); a worker's options. */
  readonly telemetry?: TelemetryOptions;
  /** How pools are fed and checked; a worker's come from its primary. */
  readonly balancer?: Pick<BalancerOptions, "discovery" | "activeHealthChecks" | "reusePort">;
  /** Which pool series this process reports (default `all`). */
  readonly poolFacets?: PoolFacets;
  /**
   * The line logged once listening (default `traceway listening`). A worker says `worker listening`:
   * the instance is listening when its primary says so, after every worker.
   */
  readonly listeningMessage?: string;
  /** Wraps the telemetry's health events (a worker also tells its primary of each ejection). */
  readonly healthEvents?: (events: HealthEvents) => HealthEvents;
}

/**
 * Telemetry, then the balancer and the Kafka bridges, then signal handling: SIGTERM/SIGINT drain
 * and exit (bridges stop fetching and drain alongside client requests); a second signal exits at once.
 */
export async function runBalancer(config: TracewayConfig, hooks: RunHooks = {}): Promise<RunningTraceway> {
  const telemetry = await startTelemetry(
    { telemetry: config.telemetry, logging: config.logging },
    hooks.telemetry,
  );
  const { logger } = telemetry;
  const balancer = await startBalancer({
    config,
    observer: telemetry.observer,
    logger,
    healthEvents: hooks.healthEvents?.(telemetry.healthEvents) ?? telemetry.healthEvents,
    discoveryObserver: telemetry.discoveryObserver,
    canaryEvents: telemetry.control.canaryEvents,
    ...hooks.balancer,
  });
  const adminDeps = {
    control: balancer.control,
    logger,
    onChange: (c: AdminChange) => telemetry.control.onAdminChange(c),
  };
  let admin = config.admin?.enabled ? await startAdmin(config.admin, adminDeps) : undefined;
  // Reloads reach the admin listener in order, one after another (a rebind is asynchronous).
  let adminChain = Promise.resolve();
  const reconfigureAdmin = (next: AdminConfig | undefined): void => {
    adminChain = adminChain.then(async () => {
      try {
        admin = await adminFor(admin, next, adminDeps);
      } catch (err) {
        logger.error({ err }, "admin API could not take the new configuration; keeping the old one");
      }
    });
  };
  const observations = new PoolObservations(telemetry, balancer, hooks.poolFacets);
  observations.sync();
  let running = config;
  let shutdownTimeoutMs = config.server.shutdownTimeoutMs;
  const kafka = startKafka(config.kafka, {
    target: balancer,
    logger,
    meterProvider: telemetry.meterProvider,
    tracerProvider: telemetry.tracerProvider,
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info({ in_flight: balancer.activeRequests() }, "shutting down: draining in-flight requests");
      await adminChain;
      await admin?.close();
      // Together: the balancer's drain waits for the bridges' dispatches (they count as traffic).
      await Promise.all([kafka.stop(shutdownTimeoutMs), balancer.close()]);
      observations.clear();
      await telemetry.shutdown();
      await hooks.onStopped?.();
    })());

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  if (hooks.handleSignals ?? true) {
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }
  logger.info({ listen_url: balancer.url }, hooks.listeningMessage ?? "traceway listening");

  return {
    balancer,
    kafka,
    logger,
    metricsUrl: telemetry.metricsUrl,
    adminUrl: () => admin?.url,
    adminSettled: () => adminChain,
    reload(next: TracewayConfig): void {
      const refused = [
        ...restartNeeded(BALANCER_RESTART_KEYS, running, next),
        ...restartNeeded(TELEMETRY_RESTART_KEYS, running, next),
      ];
      if (refused.length > 0) throw new ConfigError("reload", refused);
      balancer.reload(next);
      logger.level = next.logging.level;
      observations.sync();
      reconfigureAdmin(next.admin);
      shutdownTimeoutMs = next.server.shutdownTimeoutMs;
      kafka
        .reload(next.kafka, shutdownTimeoutMs)
        .catch((err: unknown) => logger.error({ err }, "kafka reload failed"));
      running = next;
    },
    collectMetrics: () => telemetry.collectMetrics(),
    stop,
  };
}

/** The admin listener for a reload's `admin`: reconfigured, started, or closed. */
async function adminFor(
  admin: RunningAdmin | undefined,
  next: AdminConfig | undefined,
  deps: Parameters<typeof startAdmin>[1],
): Promise<RunningAdmin | undefined> {
  if (!next?.enabled) {
    await admin?.close();
    return undefined;
  }
  if (admin) {
    await admin.reconfigure(next);
    return admin;
  }
  return startAdmin(next, deps);
}
