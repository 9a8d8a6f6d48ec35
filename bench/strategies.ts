/**
 * Nanoseconds per pick for every strategy at 3, 30 and 300 backends. Target: ≤ 1 µs per pick at
 * 300 backends. Run directly (`node bench/strategies.ts`) for a Markdown table.
 */
import { fileURLToPath } from "node:url";
import type { StrategyName } from "../src/config/types.ts";
import { seededRandom, systemClock } from "../src/shared/clock.ts";
import { createStrategy, strategyNames } from "../src/strategies/registry.ts";
import type { Candidate } from "../src/pool/candidate.ts";
import type { PickRequest } from "../src/strategies/strategy.ts";

/** One measurement. */
export interface Row {
  readonly strategy: StrategyName;
  readonly backends: number;
  readonly picks: number;
  readonly nsPerPick: number;
}

const SIZES = [3, 30, 300] as const;
const WARMUP_PICKS = 100_000;
const PICKS = 1_000_000;
/** Power of two so the key index is a mask, not a modulo. */
const KEY_COUNT = 4096;

function candidates(n: number): Candidate[] {
  const random = seededRandom(n);
  return Array.from({ length: n }, (_, i) => ({
    id: `http://10.0.${i >> 8}.${i & 255}:8080`,
    effectiveWeight: 1 + (i % 3),
    inFlight: Math.floor(random() * 5),
  }));
}

/** Pre-built requests so the loop allocates nothing; hash strategies see varying client-IP-like keys. */
const requests: readonly PickRequest[] = Array.from({ length: KEY_COUNT }, (_, i) => ({
  hashKey: `192.168.${i >> 8}.${i & 255}`,
}));

function measure(name: StrategyName, n: number): Row {
  const strategy = createStrategy(name, { random: seededRandom(1), clock: systemClock });
  const cs = candidates(n);
  if (strategy.observe) {
    for (let i = 0; i < n; i++) strategy.observe(cs[i]!, { latencyMs: 5 + (i % 17), failed: false });
  }
  let sink = 0;
  for (let i = 0; i < WARMUP_PICKS; i++) sink += strategy.pick(cs, requests[i & (KEY_COUNT - 1)]!)!.inFlight;
  const start = process.hrtime.bigint();
  for (let i = 0; i < PICKS; i++) sink += strategy.pick(cs, requests[i & (KEY_COUNT - 1)]!)!.inFlight;
  const elapsed = Number(process.hrtime.bigint() - start);
  // Keeps the loop observable so it cannot be optimised away.
  if (sink < 0) throw new Error("unreachable");
  return { strategy: name, backends: n, picks: PICKS, nsPerPick: elapsed / PICKS };
}

/** Measure every strategy at every size. Synchronous work; async for a uniform bench runner API. */
export async function benchStrategies(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const name of strategyNames) {
    for (const n of SIZES) rows.push(measure(name, n));
  }
  return Promise.resolve(rows);
}

/** Rows as a Markdown table: one line per strategy, one column per backend count. */
export function toMarkdown(rows: readonly Row[]): string {
  const lines = [
    `| strategy | ${SIZES.map((n) => `${n} backends (ns/pick)`).join(" | ")} |`,
    `|---|${SIZES.map(() => "---:").join("|")}|`,
  ];
  for (const name of strategyNames) {
    const cells = SIZES.map((n) => {
      const row = rows.find((r) => r.strategy === name && r.backends === n);
      return row === undefined ? "" : row.nsPerPick.toFixed(0);
    });
    lines.push(`| ${name} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(toMarkdown(await benchStrategies()));
}
