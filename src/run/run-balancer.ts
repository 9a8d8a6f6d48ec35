import type { Logger } from "pino";
import type { TracewayConfig } from "../config/types.ts";
import { startBalancer, type RunningBalancer } from "../server/balancer.ts";
import { startTelemetry } from "../telemetry/setup.ts";

export interface RunningTraceway {
  readonly balancer: RunningBalancer;
  readonly logger: Logger;
  readonly metricsUrl: string | undefined;
  /** Apply a validated config to the running balancer. */
  reload(config: TracewayConfig): void;
  stop(): Promise<void>;
}

/**
 * Telemetry, then the balancer, then signal handling: SIGTERM/SIGINT drain and exit; a second
 * signal exits at once.
 */
export async function runBalancer(
  config: TracewayConfig,
  hooks: { onStopped?: () => Promise<void> } = {},
): Promise<RunningTraceway> {
  const telemetry = await startTelemetry({ telemetry: config.telemetry, logging: config.logging });
  const { logger } = telemetry;
  const balancer = await startBalancer({
    config,
    observer: telemetry.observer,
    logger,
    healthEvents: telemetry.healthEvents,
    discoveryObserver: telemetry.discoveryObserver,
  });
  const unobserve = new Map<string, () => void>();
  const observePools = (): void => {
    for (const [name, pool] of balancer.pools)
      if (!unobserve.has(name)) unobserve.set(name, telemetry.observePool(pool));
    for (const [name, queue] of balancer.queues()) telemetry.observeQueue(name, queue);
  };
  observePools();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info({ inFlight: balancer.activeRequests() }, "shutting down: draining in-flight requests");
      await balancer.close();
      for (const off of unobserve.values()) off();
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
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  logger.info({ url: balancer.url }, "traceway listening");

  return {
    balancer,
    logger,
    metricsUrl: telemetry.metricsUrl,
    reload(next: TracewayConfig): void {
      balancer.reload(next);
      observePools();
    },
    stop,
  };
}
