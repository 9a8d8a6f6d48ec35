import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./layout.ts";
import type { StrategyRow } from "./report.ts";

/**
 * Runs `benchStrategies()` from `bench/strategies.ts` (owned by the strategies engineer) when that
 * file exists; imported dynamically so the harness still runs without it.
 */
export async function strategiesSection(): Promise<{ rows: StrategyRow[] } | { failure: string }> {
  const file = join(ROOT, "bench", "strategies.ts");
  if (!existsSync(file)) return { failure: "not available: bench/strategies.ts does not exist" };
  try {
    const module = (await import(file)) as { benchStrategies?: () => Promise<StrategyRow[]> };
    if (typeof module.benchStrategies !== "function") {
      return { failure: "not available: bench/strategies.ts exports no benchStrategies()" };
    }
    return { rows: await module.benchStrategies() };
  } catch (error) {
    return { failure: `failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
