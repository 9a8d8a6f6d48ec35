import { parseArgs } from "node:util";
import type { Scenario, Timing } from "./scenarios.ts";

/** Everything a run's length depends on; `--quick` and the full run differ only here. */
export interface Profile {
  readonly name: "quick" | "full";
  readonly timing: Timing;
  readonly scenarios: readonly Scenario[];
  readonly idleConnections: number;
  /** Target names measured holding idle connections; "all" = every running target. */
  readonly idleTargets: readonly string[] | "all";
  readonly failoverDurationS: number;
  /** Target names the failover run covers (those that exist and are running). */
  readonly failoverTargets: readonly string[];
  readonly kafkaMessages: number;
  readonly kafkaRounds: number;
  /** Messages per Kafka bridge run (one topic, read once per variant and round), and rounds. */
  readonly bridgeMessages: number;
  readonly bridgeRounds: number;
  /** Requests per in-process telemetry-cost run, and runs per mode. */
  readonly telemetryRequests: number;
  readonly telemetryRounds: number;
}

export const SMALL: Scenario = { name: "200 B, 50 conns", path: "/small", connections: 50 };
export const MEDIUM: Scenario = { name: "16 KB, 50 conns", path: "/16k", connections: 50 };
export const LARGE: Scenario = { name: "1 MB streamed, 50 conns", path: "/1m", connections: 50 };
export const MANY: Scenario = { name: "200 B, 1000 conns", path: "/small", connections: 1000 };

/** Which traceway target is used for failover: it has /metrics, needed to see when it stops sending. */
export const FAILOVER_TRACEWAY = "traceway metrics + 10% traces";
/** The same with the access log on (traceway's default): the pair that prices the access log. */
export const ACCESS_LOG_TRACEWAY = "traceway metrics + 10% traces, access log";

/** Rows compared round by round in the report: [with, without, what the difference is]. */
export const PAIRS: readonly (readonly [string, string, string])[] = [
  [ACCESS_LOG_TRACEWAY, FAILOVER_TRACEWAY, "access log"],
];

export const QUICK: Profile = {
  name: "quick",
  timing: { rounds: 2, durationS: 2, warmupS: 1 },
  scenarios: [SMALL, MEDIUM],
  idleConnections: 10_000,
  idleTargets: ["traceway off", "nginx", "http-proxy peer"],
  failoverDurationS: 6,
  failoverTargets: [FAILOVER_TRACEWAY, "nginx"],
  kafkaMessages: 50_000,
  kafkaRounds: 1,
  bridgeMessages: 20_000,
  bridgeRounds: 1,
  telemetryRequests: 50_000,
  telemetryRounds: 1,
};

export const FULL: Profile = {
  name: "full",
  timing: { rounds: 5, durationS: 6, warmupS: 2 },
  scenarios: [SMALL, MEDIUM, LARGE, MANY],
  idleConnections: 10_000,
  idleTargets: "all",
  failoverDurationS: 12,
  failoverTargets: [FAILOVER_TRACEWAY, "nginx", "HAProxy"],
  kafkaMessages: 200_000,
  kafkaRounds: 2,
  bridgeMessages: 50_000,
  bridgeRounds: 3,
  telemetryRequests: 200_000,
  telemetryRounds: 3,
};

export const SECTIONS = [
  "strategies",
  "http",
  "workers",
  "idle",
  "failover",
  "telemetry",
  "kafka",
  "bridge",
] as const;
export type Section = (typeof SECTIONS)[number];

export interface CliOptions {
  readonly profile: Profile;
  readonly sections: ReadonlySet<Section>;
  /** Use the local OTLP sink even when scripts/jaeger.sh exists. */
  readonly sink: boolean;
  /** Only these targets (by row name); empty = all. */
  readonly targets: readonly string[];
}

const USAGE = `usage: npm run bench -- [--quick] [--sink] [--skip ${SECTIONS.join(",")}] [--target NAME]... [--scenario NAME]...`;

export function parseCli(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      sink: { type: "boolean", default: false },
      skip: { type: "string", default: "" },
      target: { type: "string", multiple: true, default: [] },
      scenario: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const skip = values.skip.split(",").filter((s) => s !== "");
  for (const name of skip) {
    if (!(SECTIONS as readonly string[]).includes(name))
      throw new Error(`unknown section '${name}'. ${USAGE}`);
  }
  const base = values.quick ? QUICK : FULL;
  const unknown = values.scenario.filter((name) => !base.scenarios.some((s) => s.name === name));
  if (unknown.length > 0)
    throw new Error(
      `unknown --scenario ${unknown.join("; ")}; ${base.name}: ${base.scenarios.map((s) => s.name).join("; ")}`,
    );
  const scenarios =
    values.scenario.length === 0
      ? base.scenarios
      : base.scenarios.filter((s) => values.scenario.includes(s.name));
  return {
    profile: { ...base, scenarios },
    sections: new Set(SECTIONS.filter((s) => !skip.includes(s))),
    sink: values.sink,
    targets: values.target,
  };
}
