import { diag, metrics } from "@opentelemetry/api";
import type { Attributes, Counter, Meter, MeterProvider } from "@opentelemetry/api";
import type { Admin, Kafka } from "kafkajs";
import { systemClock } from "../clock.ts";
import type { Clock } from "../clock.ts";
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_SYSTEM_NAME,
  ATTR_TRACEWAY_KAFKA_LAG_STATUS,
  MESSAGING_SYSTEM_KAFKA,
  METRIC_TRACEWAY_KAFKA_GROUP_LAG,
  METRIC_TRACEWAY_KAFKA_GROUP_TIME_LAG,
  METRIC_TRACEWAY_KAFKA_GROUP_STATUS,
  METRIC_TRACEWAY_KAFKA_LAG_MONITOR_ERRORS,
  METRIC_TRACEWAY_KAFKA_LAG_MONITOR_POLL_AGE,
} from "../semconv.ts";
import { errorTypeOf, INSTRUMENTATION_SCOPE, withErrorType } from "./kafka-telemetry.ts";
import { evaluatePartitionStatus, PARTITION_STATUSES } from "./lag-status.ts";
import type { LagObservation, StatusRules } from "./lag-status.ts";
import { OffsetHistory } from "./offset-history.ts";
import type { PartitionLag } from "./types.ts";

export const DEFAULT_LAG_INTERVAL_MS = 15_000;
export const DEFAULT_STATUS_WINDOW = 10;
export const DEFAULT_HISTORY_SIZE = 120;

/** Options of {@link createLagMonitor}. Give `kafka` (the monitor owns an admin client) or `admin`. */
export interface LagMonitorOptions {
  /** The monitor creates, connects and disconnects its own admin client from it. */
  readonly kafka?: Pick<Kafka, "admin">;
  /** An admin client you connect and disconnect yourself. */
  readonly admin?: Pick<Admin, "connect" | "disconnect" | "fetchOffsets" | "fetchTopicOffsets">;
  /**
   * The groups to watch: a list, or a function asked before every poll (to follow every group the
   * cluster lists, say). A group the function stops naming is dropped from the gauges.
   */
  readonly groupIds: readonly string[] | (() => Promise<readonly string[]>);
  /**
   * Reads the timestamp (epoch ms) of the message at `offset`. When given, a lagging partition's
   * lag in seconds is the age of the message at its committed offset (the oldest unconsumed one);
   * when it resolves `undefined` (the message is gone) or is not given, the age is interpolated
   * from the history of high watermarks.
   */
  readonly messageTimestamp?: (
    topic: string,
    partition: number,
    offset: number,
  ) => Promise<number | undefined>;
  /** Wall clock in epoch milliseconds, compared with message timestamps. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Time between polls. Default 15 s. */
  readonly intervalMs?: number;
  readonly meter?: Meter;
  /** Used when `meter` is not given; defaults to the global meter provider. */
  readonly meterProvider?: MeterProvider;
  readonly clock?: Clock;
  /** Polls the WARN/STALL rules look back over. Default 10. */
  readonly statusWindow?: number;
  /** Lag > 0 with no commit for this long is STOP. Default `2 × statusWindow × intervalMs`. */
  readonly stopAfterMs?: number;
  /** High-watermark samples kept per partition for lag in seconds. Default 120. */
  readonly historySize?: number;
}

/** Periodically measures consumer-group lag through the admin API and publishes it as gauges. */
export interface LagMonitor {
  /** Connects (when it owns the admin client), polls once, then every `intervalMs`. */
  start(): Promise<void>;
  /** Stops polling; disconnects the admin client it owns. */
  stop(): Promise<void>;
  /** Polls now (concurrent calls share one poll) and returns the rows the gauges publish. */
  poll(): Promise<readonly PartitionLag[]>;
  /** Rows of the latest poll. */
  latest(): readonly PartitionLag[];
}

interface PartitionTrack {
  readonly history: OffsetHistory;
  readonly window: LagObservation[];
  committedOffset: number | undefined;
  unchangedSinceMs: number;
}

type TopicOffsets = Awaited<ReturnType<Admin["fetchTopicOffsets"]>>;

function rowAttributes(row: PartitionLag): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: row.groupId,
    [ATTR_MESSAGING_DESTINATION_NAME]: row.topic,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(row.partition),
  };
}

/**
 * Creates a monitor of committed-offset lag for consumer groups, the lag that matters for
 * alerting because it survives consumer crashes (fetch-time lag freezes with the consumer):
 *
 * - lag = high watermark − max(committed offset, log start offset); clamping to the log start
 *   offset keeps deleted segments from showing phantom lag. A partition without a committed
 *   offset counts `high − low`: everything still retained is unconsumed by the group.
 * - time lag (seconds), interpolated from the history of high watermarks ({@link OffsetHistory}).
 * - a Burrow-like status per partition ({@link evaluatePartitionStatus}), one 0/1 series per
 *   status.
 *
 * Poll failures are counted (`traceway.messaging.kafka.lag_monitor.errors`) and the gauges keep
 * the last good values of the failing group.
 */
export function createLagMonitor(options: LagMonitorOptions): LagMonitor {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? DEFAULT_LAG_INTERVAL_MS;
  const statusWindow = options.statusWindow ?? DEFAULT_STATUS_WINDOW;
  const rules: StatusRules = {
    windowSize: statusWindow,
    stopAfterMs: options.stopAfterMs ?? 2 * statusWindow * intervalMs,
  };
  const historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
  const wallNow = options.now ?? Date.now;
  const ownsAdmin = options.admin === undefined;
  const maybeAdmin = options.admin ?? options.kafka?.admin();
  if (maybeAdmin === undefined) throw new TypeError("createLagMonitor: give `kafka` or `admin`");
  const admin = maybeAdmin;
  const meter =
    options.meter ?? (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);

  const tracks = new Map<string, PartitionTrack>();
  const rowsByGroup = new Map<string, readonly PartitionLag[]>();
  /** When each group was last polled successfully (clock ms); from start() on, before any success. */
  const goodPollAt = new Map<string, number>();
  let inFlight: Promise<readonly PartitionLag[]> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  const errors: Counter = meter.createCounter(METRIC_TRACEWAY_KAFKA_LAG_MONITOR_ERRORS, {
    description: "Lag monitor polls that failed, by consumer group and error.type.",
    unit: "{error}",
  });
  const lagGauge = meter.createObservableGauge(METRIC_TRACEWAY_KAFKA_GROUP_LAG, {
    description: "Committed-offset lag: high watermark − max(committed offset, log start offset).",
    unit: "{message}",
  });
  const timeLagGauge = meter.createObservableGauge(METRIC_TRACEWAY_KAFKA_GROUP_TIME_LAG, {
    description: "Estimated age of the oldest unconsumed message (interpolated from high watermarks).",
    unit: "s",
  });
  // 0/1 per state, as semconv's `hw.status` and kube-state-metrics: an UpDownCounter whose sum over
  // partitions counts the partitions in a state, so its unit is `{partition}`. Not `1`: Prometheus
  // names a unit-1 gauge `_ratio` (and the specification, read literally, any unit-1 metric).
  const statusGauge = meter.createObservableUpDownCounter(METRIC_TRACEWAY_KAFKA_GROUP_STATUS, {
    description:
      "Burrow-like partition status: 1 on the series of the current traceway.kafka.lag.status (OK, WARN, STALL, STOP), 0 on the others.",
    unit: "{partition}",
  });
  // Computed at collection time, so it keeps growing while polls fail or hang: the lag gauges keep
  // their last values then, and only this tells a frozen figure from a steady one.
  meter
    .createObservableGauge(METRIC_TRACEWAY_KAFKA_LAG_MONITOR_POLL_AGE, {
      description: "Seconds since the lag monitor last polled the consumer group successfully.",
      unit: "s",
    })
    .addCallback((result) => {
      const nowMs = clock.now();
      for (const [groupId, atMs] of goodPollAt) {
        result.observe(Math.max(0, nowMs - atMs) / 1000, { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: groupId });
      }
    });
  meter.addBatchObservableCallback(
    (result) => {
      for (const rows of rowsByGroup.values()) {
        for (const row of rows) {
          const attributes = rowAttributes(row);
          result.observe(lagGauge, row.lag, attributes);
          result.observe(timeLagGauge, row.lagSeconds, attributes);
          for (const status of PARTITION_STATUSES) {
            result.observe(statusGauge, status === row.status ? 1 : 0, {
              ...attributes,
              [ATTR_TRACEWAY_KAFKA_LAG_STATUS]: status,
            });
          }
        }
      }
    },
    [lagGauge, timeLagGauge, statusGauge],
  );

  function track(key: string, committedOffset: number | undefined, nowMs: number): PartitionTrack {
    let state = tracks.get(key);
    if (state === undefined) {
      state = {
        history: new OffsetHistory(historySize),
        window: [],
        committedOffset,
        unchangedSinceMs: nowMs,
      };
      tracks.set(key, state);
    } else if (state.committedOffset !== committedOffset) {
      state.committedOffset = committedOffset;
      state.unchangedSinceMs = nowMs;
    }
    return state;
  }

  async function pollGroup(
    groupId: string,
    topicOffsets: (topic: string) => Promise<TopicOffsets>,
  ): Promise<PartitionLag[]> {
    const committedByTopic = await admin.fetchOffsets({ groupId });
    const rows: PartitionLag[] = [];
    for (const { topic, partitions } of committedByTopic) {
      const committed = new Map<number, number>();
      for (const { partition, offset } of partitions) {
        const value = Number(offset);
        if (Number.isFinite(value) && value >= 0) committed.set(partition, value);
      }
      const offsets = await topicOffsets(topic);
      const messageTimestamps = await timestampsAt(topic, offsets, committed);
      const nowMs = clock.now();
      for (const { partition, high, low } of offsets) {
        const highOffset = Number(high);
        const lowOffset = Number(low);
        const committedOffset = committed.get(partition);
        const position = committedOffset === undefined ? lowOffset : Math.max(committedOffset, lowOffset);
        const lag = Math.max(0, highOffset - position);
        const timestamp =
          lag > 0 ? messageTimestamps.get(`${topic}\u0000${partition}\u0000${position}`) : undefined;
        const state = track(`${groupId}\u0000${topic}\u0000${partition}`, committedOffset, nowMs);
        state.history.record(highOffset, nowMs);
        state.window.push({ atMs: nowMs, committedOffset, lag });
        if (state.window.length > statusWindow) state.window.shift();
        rows.push({
          groupId,
          topic,
          partition,
          committedOffset,
          lowOffset,
          highOffset,
          lag,
          lagSeconds:
            lag === 0
              ? 0
              : timestamp !== undefined
                ? Math.max(0, (wallNow() - timestamp) / 1000)
                : state.history.ageSeconds(position, nowMs),
          status: evaluatePartitionStatus(state.window, state.unchangedSinceMs, nowMs, rules),
        });
      }
    }
    rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    return rows;
  }

  /** Timestamps of the oldest unconsumed message of each lagging partition, read in parallel. */
  async function timestampsAt(
    topic: string,
    offsets: TopicOffsets,
    committed: ReadonlyMap<number, number>,
  ): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    const read = options.messageTimestamp;
    if (read === undefined) return found;
    await Promise.all(
      offsets.map(async ({ partition, high, low }) => {
        const c = committed.get(partition);
        const position = c === undefined ? Number(low) : Math.max(c, Number(low));
        if (Number(high) <= position) return;
        try {
          const timestamp = await read(topic, partition, position);
          if (timestamp !== undefined) found.set(`${topic}\u0000${partition}\u0000${position}`, timestamp);
        } catch (error) {
          diag.debug(`traceway lag monitor: reading ${topic}/${partition}@${position} failed`, error);
        }
      }),
    );
    return found;
  }

  async function currentGroups(): Promise<readonly string[] | undefined> {
    const { groupIds } = options;
    if (typeof groupIds !== "function") return groupIds;
    try {
      const groups = await groupIds();
      for (const groupId of rowsByGroup.keys()) {
        if (groups.includes(groupId)) continue;
        rowsByGroup.delete(groupId);
        goodPollAt.delete(groupId);
        for (const key of tracks.keys()) if (key.startsWith(`${groupId}\u0000`)) tracks.delete(key);
      }
      return groups;
    } catch (error) {
      try {
        errors.add(1, withErrorType({}, { error }));
        diag.warn(`traceway lag monitor: listing groups failed (${errorTypeOf(error)})`, error);
      } catch {
        // Reporting the failure must not fail the poll either.
      }
      return undefined;
    }
  }

  async function pollAll(): Promise<readonly PartitionLag[]> {
    // One fetchTopicOffsets per topic per poll, shared by every group reading that topic.
    const topicCache = new Map<string, Promise<TopicOffsets>>();
    const topicOffsets = (topic: string): Promise<TopicOffsets> => {
      let pending = topicCache.get(topic);
      if (pending === undefined) {
        pending = admin.fetchTopicOffsets(topic);
        topicCache.set(topic, pending);
      }
      return pending;
    };
    // Listing failed: poll the groups of the last good list.
    for (const groupId of (await currentGroups()) ?? [...rowsByGroup.keys()]) {
      try {
        rowsByGroup.set(groupId, await pollGroup(groupId, topicOffsets));
        goodPollAt.set(groupId, clock.now());
      } catch (error) {
        try {
          errors.add(1, withErrorType({ [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: groupId }, { error }));
          diag.warn(`traceway lag monitor: polling group ${groupId} failed (${errorTypeOf(error)})`, error);
        } catch {
          // Reporting the failure must not fail the poll either.
        }
      }
    }
    return latest();
  }

  function latest(): readonly PartitionLag[] {
    return [...rowsByGroup.values()].flat();
  }

  function poll(): Promise<readonly PartitionLag[]> {
    inFlight ??= pollAll().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function schedule(): void {
    if (!running) return;
    timer = setTimeout(() => {
      void poll().finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    async start() {
      if (running) return;
      if (ownsAdmin) await admin.connect();
      running = true;
      const startedMs = clock.now();
      // A listed group's poll age counts from the start; a group a listing function finds counts
      // from its first good poll.
      if (typeof options.groupIds !== "function")
        for (const groupId of options.groupIds)
          if (!goodPollAt.has(groupId)) goodPollAt.set(groupId, startedMs);
      await poll();
      schedule();
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      await inFlight;
      if (ownsAdmin) await admin.disconnect();
    },
    poll,
    latest,
  };
}
