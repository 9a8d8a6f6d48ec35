import type { MeterProvider } from "@opentelemetry/api";
import type { Admin, Kafka } from "kafkajs";
import type { Logger } from "pino";
import { createLagMonitor } from "../../../interceptors/balancer-entry.ts";
import type { LagMonitor } from "../../../interceptors/balancer-entry.ts";
import { createTimestampReader, type TimestampReader } from "./message-timestamps.ts";

/** What the exporter watches. */
export interface LagTargets {
  /** Named groups (the bridges' own groups among them). */
  readonly groups: readonly string[];
  /** Also every group the cluster lists (`kafka.lag.groups: ["*"]`). */
  readonly allGroups: boolean;
  readonly intervalMs: number;
}

export interface LagExporter {
  readonly monitor: LagMonitor;
  stop(): Promise<void>;
}

/**
 * The lag exporter: the interceptors' lag monitor over an admin client, for any consumer group,
 * consumed by traceway or not (kafka-lag-exporter, Burrow and KMinion do this as daemons of their
 * own). Every interval it reads committed and log-end offsets and publishes lag in messages per
 * group, topic and partition; lag in seconds as the age of the message at the committed offset
 * (read with one Fetch per lagging partition); and a Burrow-like status. Polls run even while the
 * cluster is down (they fail, are counted, and the last values stay).
 */
export function startLagExporter(
  kafka: Kafka,
  targets: LagTargets,
  deps: { readonly meterProvider: MeterProvider | undefined; readonly logger: Logger },
): LagExporter {
  const admin = kafka.admin();
  const reader = createTimestampReader(kafka, deps.logger);
  const monitor = createLagMonitor({
    admin,
    groupIds: targets.allGroups ? () => allGroups(admin, targets.groups) : targets.groups,
    intervalMs: targets.intervalMs,
    ...(deps.meterProvider ? { meterProvider: deps.meterProvider } : {}),
    ...(reader ? { messageTimestamp: (t: string, p: number, o: number) => reader.read(t, p, o) } : {}),
  });
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let starting: Promise<void> = Promise.resolve();
  // In the background: a cluster that is down at start-up must not hold up the balancer.
  const begin = (): void => {
    starting = admin
      .connect()
      .then(() => (stopped ? undefined : monitor.start()))
      .catch((error: unknown) => {
        if (stopped) return;
        deps.logger.warn({ err: error }, "kafka lag exporter: cannot reach the cluster; trying again");
        retry = setTimeout(begin, targets.intervalMs);
      });
  };
  begin();
  deps.logger.info(
    {
      groups: targets.allGroups ? ["*", ...targets.groups] : targets.groups,
      interval_ms: targets.intervalMs,
    },
    "kafka lag exporter polling",
  );
  return {
    monitor,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      // A connect still under way would open its sockets after a disconnect made now.
      await starting;
      await monitor.stop();
      await Promise.allSettled([admin.disconnect(), closeReader(reader)]);
    },
  };
}

async function allGroups(admin: Admin, named: readonly string[]): Promise<readonly string[]> {
  const { groups } = await admin.listGroups();
  return [...new Set([...named, ...groups.map((g) => g.groupId)])].sort();
}

async function closeReader(reader: TimestampReader | undefined): Promise<void> {
  await reader?.close();
}
