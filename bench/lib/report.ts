import type { FailoverRow } from "./failover.ts";
import { duration, fixed, int, ms, table, times } from "./format.ts";
import type { IdleRssRow } from "./idle-rss.ts";
import type { KafkaResult } from "./kafka-bench.ts";
import type { BridgeResult } from "./kafka-bridge-bench.ts";
import type { TelemetryCostRow } from "./telemetry-cost.ts";
import type { MachineInfo } from "./machine.ts";
import { paired, pairedSection } from "./paired.ts";
import { PAIRS } from "./profile.ts";
import type { Profile } from "./profile.ts";
import type { ScenarioResult } from "./scenarios.ts";
import { runtimeSection } from "./runtime-section.ts";
import { renderWorkers, type WorkersResult } from "./workers-section.ts";
import { ratio } from "./stats.ts";

/** What `bench/strategies.ts` returns per measurement. */
export interface StrategyRow {
  readonly strategy: string;
  readonly backends: number;
  readonly nsPerPick: number;
}

export interface BenchReport {
  readonly machine: MachineInfo;
  readonly profile: Profile;
  readonly durationS: number;
  readonly notes: readonly string[];
  readonly http?: readonly ScenarioResult[];
  readonly strategies?: { readonly rows: readonly StrategyRow[] } | { readonly failure: string };
  readonly idle?: readonly IdleRssRow[];
  readonly failover?: readonly FailoverRow[];
  readonly kafka?: KafkaResult;
  readonly bridge?: BridgeResult;
  readonly telemetry?: readonly TelemetryCostRow[];
  readonly workers?: WorkersResult;
}

/** The reference every ratio is taken against. */
const REFERENCE = "nginx";

function header(r: BenchReport): string {
  const m = r.machine;
  const t = r.profile.timing;
  return `# traceway benchmark, ${m.date.slice(0, 10)} (${r.profile.name} run)

${table(
  ["what", "value"],
  [
    ["date", m.date],
    ["commit", m.commit],
    [
      "machine",
      `${m.cores} cores (os.availableParallelism), ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}`,
    ],
    ["Node", m.node],
    ["nginx / HAProxy / Caddy / wrk", `${m.nginx} / ${m.haproxy} / ${m.caddy} / ${m.wrk}`],
    [
      "profile",
      `${r.profile.name}: ${t.rounds} rounds × ${t.durationS} s per target and scenario, ${t.warmupS} s warm-up, targets interleaved`,
    ],
    ["duration", duration(r.durationS)],
  ],
)}`;
}

function httpSection(results: readonly ScenarioResult[]): string {
  const parts = ["## HTTP proxying (wrk, 2 threads, loopback)"];
  for (const { scenario, rows } of results) {
    const ref = rows.find((row) => row.target === REFERENCE && row.failure === undefined && row.rounds > 0);
    parts.push(
      `### ${scenario.name} (\`GET ${scenario.path}\`)`,
      table(
        [
          "target",
          "req/s",
          "× nginx",
          "p50 ms",
          "p99 ms",
          "p99.9 ms",
          "p99 × nginx",
          "CPU µs/req",
          "CPU × nginx",
          "errors sock / ≥400",
          "spread",
        ],
        rows.map((row) =>
          row.rounds === 0
            ? [row.target, row.failure ?? "no data", "–", "–", "–", "–", "–", "–", "–", "–", "–"]
            : [
                row.failure === undefined ? row.target : `${row.target} (${row.failure})`,
                int(row.rps),
                times(ratio(row.rps, ref?.rps)),
                ms(row.p50Ms),
                ms(row.p99Ms),
                ms(row.p999Ms),
                times(ratio(row.p99Ms, ref?.p99Ms)),
                fixed(row.cpuMicrosPerRequest, 0),
                times(ratio(row.cpuMicrosPerRequest, ref?.cpuMicrosPerRequest)),
                `${int(row.socketErrors)} / ${int(row.httpErrors)}`,
                `±${fixed(row.rpsSpreadPct, 0)}%`,
              ],
        ),
      ),
    );
  }
  return parts.join("\n\n");
}

function strategiesSection(s: NonNullable<BenchReport["strategies"]>): string {
  if ("failure" in s) return `## Strategy micro-benchmark\n\n${s.failure}`;
  const sizes = [...new Set(s.rows.map((row) => row.backends))].sort((a, b) => a - b);
  const names = [...new Set(s.rows.map((row) => row.strategy))];
  return `## Strategy micro-benchmark (ns per pick, \`bench/strategies.ts\`)

${table(
  ["strategy", ...sizes.map((n) => `${n} backends`)],
  names.map((name) => [
    name,
    ...sizes.map((n) =>
      fixed(s.rows.find((row) => row.strategy === name && row.backends === n)?.nsPerPick, 0),
    ),
  ]),
)}`;
}

function idleSection(rows: readonly IdleRssRow[]): string {
  return `## Idle keep-alive client connections (RSS of the target's process tree)

${table(
  [
    "target",
    "connections",
    "open at measure",
    "RSS before MiB",
    "RSS after MiB",
    "KiB / connection",
    "notes",
  ],
  rows.map((row) => [
    row.target,
    int(row.connections),
    int(row.openAtMeasure),
    fixed(row.rssBeforeMiB, 0),
    fixed(row.rssAfterMiB, 0),
    fixed(row.kibPerConnection, 1),
    row.failure ?? "",
  ]),
)}`;
}

function failoverSection(rows: readonly FailoverRow[], profile: Profile): string {
  return `## Failover: 1 of 3 backends SIGKILLed a third into a ${profile.failoverDurationS} s wrk run (200 B, 50 conns)

${table(
  [
    "target",
    "requests",
    "failed (wrk)",
    "probe failures",
    "last probe failure after kill",
    "stopped sending after",
    "attempts to dead backend",
    "notes",
  ],
  rows.map((row) => [
    row.target,
    int(row.requests),
    int(row.failed),
    int(row.probeFailures),
    row.lastProbeFailureMs === undefined ? "none" : `${int(row.lastProbeFailureMs)} ms`,
    row.stoppedAfterMs === undefined
      ? row.attemptsAfterKill === undefined
        ? "–"
        : "did not stop"
      : `${int(row.stoppedAfterMs)} ms`,
    int(row.attemptsAfterKill),
    row.failure ?? row.note ?? "",
  ]),
)}`;
}

/** The observer's in-process cost, next to what a whole request costs traceway with telemetry off. */
function telemetrySection(
  rows: readonly TelemetryCostRow[],
  http: readonly ScenarioResult[] | undefined,
): string {
  const off = http?.[0]?.rows.find((row) => row.target === "traceway off" && row.rounds > 0);
  const offCpu = off?.cpuMicrosPerRequest;
  const scenario = http?.[0]?.scenario.name;
  return `## Telemetry cost per request, in process (\`bench/telemetry-cost.ts\`)

${table(
  [
    "telemetry",
    "runs",
    "µs CPU/request (median)",
    `× traceway off's whole request${scenario ? ` (${scenario})` : ""}`,
  ],
  rows.map((row) => [
    row.label,
    String(row.runs),
    row.failure ?? fixed(row.cpuMicrosPerRequest, 2),
    row.cpuMicrosPerRequest === undefined ? "–" : times(ratio(row.cpuMicrosPerRequest, offCpu)),
  ]),
)}

The proxy observer alone, driven for each request (SERVER and CLIENT span, trace context injected, both duration histograms, body bytes), spans exported over OTLP/HTTP to the run's receiver; a fresh process per run with the binary's Node flags. Under real traffic telemetry costs more than this (see the HTTP tables): colder caches and more garbage per collection.`;
}

function kafkaSection(k: KafkaResult): string {
  const plainRow = k.rows.find((row) => row.variant === "kafkajs");
  const plain = plainRow?.msgPerSec;
  const plainCpu = plainRow?.cpuMicrosPerMsg;
  return `## Kafka consumer throughput (real broker 127.0.0.1:19092)

${table(
  ["variant", "messages", "runs", "msg/s (median)", "× plain", "µs CPU/msg (median)", "CPU × plain"],
  k.rows.map((row) => [
    row.variant,
    int(row.messages),
    String(row.runs),
    row.failure ?? int(row.msgPerSec),
    row.msgPerSec === undefined ? "–" : times(ratio(row.msgPerSec, plain)),
    row.cpuMicrosPerMsg === undefined ? "–" : row.cpuMicrosPerMsg.toFixed(2),
    row.cpuMicrosPerMsg === undefined ? "–" : times(ratio(row.cpuMicrosPerMsg, plainCpu)),
  ]),
)}

${k.note}`;
}

/** The plain kafkajs + undici consumer is the reference: it is what a service without traceway runs. */
function bridgeSection(b: BridgeResult): string {
  const plainRow = b.rows[0];
  const plain = plainRow?.msgPerSec;
  const plainCpu = plainRow?.cpuMicrosPerMsg;
  return `## Kafka → HTTP bridge throughput (real broker, nginx sink)

${table(
  [
    "variant",
    "messages",
    "runs",
    "msg/s (median)",
    "spread",
    "× plain",
    "µs CPU/msg (median)",
    "CPU × plain",
  ],
  b.rows.map((row) => [
    row.variant,
    int(row.messages),
    String(row.runs),
    row.failure ?? int(row.msgPerSec),
    row.spreadPercent === undefined || row.runs < 2 ? "–" : `±${row.spreadPercent.toFixed(0)} %`,
    row.msgPerSec === undefined ? "–" : times(ratio(row.msgPerSec, plain)),
    row.cpuMicrosPerMsg === undefined ? "–" : fixed(row.cpuMicrosPerMsg, 1),
    row.cpuMicrosPerMsg === undefined ? "–" : times(ratio(row.cpuMicrosPerMsg, plainCpu)),
  ]),
)}

${b.note}`;
}

export function renderReport(r: BenchReport): string {
  const parts = [header(r)];
  if (r.notes.length > 0) parts.push(`Notes:\n\n${r.notes.map((n) => `- ${n}`).join("\n")}`);
  if (r.http) {
    parts.push(httpSection(r.http));
    const pairs = r.http.flatMap((result) => PAIRS.flatMap((pair) => paired(result, pair) ?? []));
    if (pairs.length > 0) parts.push(pairedSection(pairs));
    const runtime = runtimeSection(r.http);
    if (runtime !== undefined) parts.push(runtime);
  }
  if (r.workers) parts.push(renderWorkers(r.workers));
  if (r.strategies) parts.push(strategiesSection(r.strategies));
  if (r.idle) parts.push(idleSection(r.idle));
  if (r.failover) parts.push(failoverSection(r.failover, r.profile));
  if (r.telemetry) parts.push(telemetrySection(r.telemetry, r.http));
  if (r.kafka) parts.push(kafkaSection(r.kafka));
  if (r.bridge) parts.push(bridgeSection(r.bridge));
  return `${parts.join("\n\n")}\n`;
}
