import { isDeepStrictEqual } from "node:util";
import { createNoopMeter } from "@opentelemetry/api";
import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import { instrumentProducer } from "../../interceptors/balancer-entry.ts";
import type { Kafka } from "kafkajs";
import type { Logger } from "pino";
import { DEFAULT_LAG_INTERVAL_MS } from "../config/defaults.ts";
import type { KafkaBridgeConfig, KafkaConfig } from "../config/kafka-types.ts";
import { systemClock, systemRandom, type Clock, type Random } from "../shared/clock.ts";
import { createBridgeInstruments, type BridgeInstruments } from "./bridge/bridge-metrics.ts";
import { producerSink, type DeadLetterSink } from "./bridge/dead-letters.ts";
import { KafkaBridge, RESTART_AFTER_MS, type BridgeTarget } from "./bridge/kafka-bridge.ts";
import { createKafkaClient } from "./kafka-client.ts";
import { startLagExporter, type LagExporter, type LagTargets } from "./lag/lag-exporter.ts";

/** Instrumentation scope of the bridge metrics. */
export const KAFKA_SCOPE = "traceway/kafka";

export interface KafkaRuntimeDeps {
  readonly target: BridgeTarget;
  readonly logger: Logger;
  readonly meterProvider: MeterProvider | undefined;
  readonly tracerProvider: TracerProvider | undefined;
  readonly clock?: Clock;
  readonly random?: Random;
}

/** The `kafka` section running: its bridges and the lag exporter. */
export interface KafkaRuntime {
  /** Running bridges by name (tests and status). */
  readonly bridges: ReadonlyMap<string, KafkaBridge>;
  readonly lag: LagExporter | undefined;
  /**
   * Applies a new `kafka` section: unchanged bridges keep running, changed and removed ones stop
   * (draining within `deadlineMs`), new ones start; a changed connection restarts everything.
   */
  reload(config: KafkaConfig | undefined, deadlineMs: number): Promise<void>;
  /** Stops every bridge (see {@link KafkaBridge.stop}) and the lag exporter. */
  stop(deadlineMs: number): Promise<void>;
}

/** One connection's worth: the client, the shared dead-letter producer, the bridges and the exporter. */
interface Connection {
  readonly config: KafkaConfig;
  readonly kafka: Kafka;
  readonly deadLetters: DeadLetterSink;
  readonly bridges: Map<string, Launched>;
  lag: { exporter: LagExporter; targets: LagTargets } | undefined;
}

interface Launched {
  readonly bridge: KafkaBridge;
  retry: NodeJS.Timeout | undefined;
}

/** Starts what `config` asks for (nothing when it is undefined); bridges connect in the background. */
export function startKafka(config: KafkaConfig | undefined, deps: KafkaRuntimeDeps): KafkaRuntime {
  // Without a meter provider the instruments are the API's no-ops.
  const instruments = createBridgeInstruments(deps.meterProvider?.getMeter(KAFKA_SCOPE) ?? createNoopMeter());
  let connection = config === undefined ? undefined : connect(config, deps);
  let current: Promise<void> = Promise.resolve();
  const runtime: KafkaRuntime = {
    get bridges() {
      return new Map([...(connection?.bridges ?? [])].map(([name, l]) => [name, l.bridge]));
    },
    get lag() {
      return connection?.lag?.exporter;
    },
    reload(next, deadlineMs) {
      current = current.then(async () => {
        if (connection !== undefined && (next === undefined || !sameConnection(connection.config, next))) {
          await close(connection, deadlineMs);
          connection = undefined;
        }
        if (next === undefined) return;
        connection ??= connect(next, deps);
        await apply(connection, next, deps, instruments, deadlineMs);
      });
      return current;
    },
    stop(deadlineMs) {
      current = current.then(async () => {
        if (connection !== undefined) await close(connection, deadlineMs);
        connection = undefined;
      });
      return current;
    },
  };
  if (connection !== undefined) {
    const first = connection;
    current = apply(first, first.config, deps, instruments, 0);
  }
  return runtime;
}

function connect(config: KafkaConfig, deps: KafkaRuntimeDeps): Connection {
  const kafka = createKafkaClient(config, deps.logger);
  const producerOptions = {
    clientId: config.clientId,
    ...(deps.tracerProvider ? { tracerProvider: deps.tracerProvider } : {}),
    ...(deps.meterProvider ? { meterProvider: deps.meterProvider } : {}),
  };
  const deadLetters = producerSink(() =>
    instrumentProducer(kafka.producer({ allowAutoTopicCreation: false }), producerOptions),
  );
  return { config, kafka, deadLetters, bridges: new Map(), lag: undefined };
}

async function apply(
  connection: Connection,
  config: KafkaConfig,
  deps: KafkaRuntimeDeps,
  instruments: BridgeInstruments,
  deadlineMs: number,
): Promise<void> {
  const wanted = new Map(config.bridges.map((b) => [b.name, b]));
  const stopping: Promise<void>[] = [];
  for (const [name, launched] of connection.bridges) {
    const next = wanted.get(name);
    if (next !== undefined && isDeepStrictEqual(next, launched.bridge.config)) continue;
    connection.bridges.delete(name);
    stopping.push(halt(launched, deadlineMs));
  }
  await Promise.all(stopping);
  for (const bridgeConfig of config.bridges) {
    if (connection.bridges.has(bridgeConfig.name)) continue;
    connection.bridges.set(bridgeConfig.name, launch(connection, bridgeConfig, deps, instruments));
  }
  await applyLag(connection, config, deps);
}

/** Starts a bridge; a cluster it cannot reach yet is tried again every few seconds. */
function launch(
  connection: Connection,
  config: KafkaBridgeConfig,
  deps: KafkaRuntimeDeps,
  instruments: BridgeInstruments,
): Launched {
  const bridge = new KafkaBridge(config, {
    kafka: connection.kafka,
    target: deps.target,
    instruments,
    deadLetters: connection.deadLetters,
    logger: deps.logger,
    clientId: connection.config.clientId,
    tracerProvider: deps.tracerProvider,
    meterProvider: deps.meterProvider,
    clock: deps.clock ?? systemClock,
    random: deps.random ?? systemRandom,
  });
  const launched: Launched = { bridge, retry: undefined };
  const attempt = (): void => {
    launched.retry = undefined;
    bridge.start().catch((error: unknown) => {
      if (connection.bridges.get(config.name) !== launched) return;
      deps.logger.error({ err: error, bridge: config.name }, "kafka bridge cannot start; trying again");
      launched.retry = setTimeout(attempt, RESTART_AFTER_MS);
    });
  };
  attempt();
  return launched;
}

async function halt(launched: Launched, deadlineMs: number): Promise<void> {
  clearTimeout(launched.retry);
  await launched.bridge.stop(deadlineMs);
}

/** The exporter watches the configured groups and every bridge's own group. */
async function applyLag(connection: Connection, config: KafkaConfig, deps: KafkaRuntimeDeps): Promise<void> {
  const named = new Set([...(config.lag?.groups ?? []), ...config.bridges.map((b) => b.groupId)]);
  const targets: LagTargets = {
    groups: [...named].sort(),
    allGroups: config.lag?.allGroups ?? false,
    intervalMs: config.lag?.intervalMs ?? DEFAULT_LAG_INTERVAL_MS,
  };
  const watching = targets.allGroups || targets.groups.length > 0;
  if (connection.lag !== undefined && watching && isDeepStrictEqual(connection.lag.targets, targets)) return;
  await connection.lag?.exporter.stop();
  connection.lag = undefined;
  if (!watching) return;
  const exporter = startLagExporter(connection.kafka, targets, {
    meterProvider: deps.meterProvider,
    logger: deps.logger,
  });
  connection.lag = { exporter, targets };
}

async function close(connection: Connection, deadlineMs: number): Promise<void> {
  const bridges = [...connection.bridges.values()];
  connection.bridges.clear();
  await Promise.all([...bridges.map((b) => halt(b, deadlineMs)), connection.lag?.exporter.stop()]);
  connection.lag = undefined;
  await connection.deadLetters.close().catch(() => undefined);
}

function sameConnection(a: KafkaConfig, b: KafkaConfig): boolean {
  return (
    isDeepStrictEqual(a.brokers, b.brokers) &&
    a.clientId === b.clientId &&
    a.connectionTimeoutMs === b.connectionTimeoutMs &&
    isDeepStrictEqual(a.sasl, b.sasl) &&
    isDeepStrictEqual(a.ssl, b.ssl)
  );
}
