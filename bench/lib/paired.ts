import { fixed, table, times } from "./format.ts";
import type { ScenarioResult, ScenarioRow } from "./scenarios.ts";
import { median } from "./stats.ts";

/** One pair in one scenario: the with/without ratios of the rounds both rows ran. */
export interface PairedResult {
  readonly scenario: string;
  readonly what: string;
  readonly rounds: number;
  /** Median over the rounds of (req/s with) ÷ (req/s without), and the lowest and highest. */
  readonly rpsRatio: number;
  readonly rpsRatioMin: number;
  readonly rpsRatioMax: number;
  /** Median over the rounds of CPU µs/req with minus without. */
  readonly cpuMicrosAdded: number;
}

/**
 * Two rows compared round by round: interleaving runs them close together in every round, so the
 * ratio within a round cancels most of what the machine's other tenants did to both.
 */
export function paired(
  result: ScenarioResult,
  [withName, withoutName, what]: readonly [string, string, string],
): PairedResult | undefined {
  const find = (name: string): ScenarioRow | undefined =>
    result.rows.find((r) => r.target === name && r.failure === undefined);
  const a = find(withName);
  const b = find(withoutName);
  if (a === undefined || b === undefined) return undefined;
  const rounds = a.byRound.flatMap((x) => {
    const y = b.byRound.find((r) => r.round === x.round);
    return y === undefined
      ? []
      : [{ rps: x.rps / y.rps, cpu: x.cpuMicrosPerRequest - y.cpuMicrosPerRequest }];
  });
  if (rounds.length === 0) return undefined;
  const rps = rounds.map((r) => r.rps);
  return {
    scenario: result.scenario.name,
    what,
    rounds: rounds.length,
    rpsRatio: median(rps),
    rpsRatioMin: Math.min(...rps),
    rpsRatioMax: Math.max(...rps),
    cpuMicrosAdded: median(rounds.map((r) => r.cpu)),
  };
}

export function pairedSection(results: readonly PairedResult[]): string {
  return `## Paired rows (round by round)

${table(
  ["scenario", "what", "rounds", "req/s with ÷ without (median)", "min – max", "CPU µs/req added"],
  results.map((p) => [
    p.scenario,
    p.what,
    String(p.rounds),
    times(p.rpsRatio),
    `${times(p.rpsRatioMin)} – ${times(p.rpsRatioMax)}`,
    fixed(p.cpuMicrosAdded, 1),
  ]),
)}`;
}
