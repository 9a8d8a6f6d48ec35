/** Runs `traceway load` in the test's own process (the generator still uses its worker threads). */
import { DEFAULTS, parseLoadOptions, type RawLoadOptions } from "../../../src/load/options.ts";
import { runLoad } from "../../../src/load/run-load.ts";
import type { LoadReport } from "../../../src/load/types.ts";

export interface InProcessRun {
  readonly code: number;
  readonly report: LoadReport;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runLoadInProcess(url: string, options: Partial<RawLoadOptions>): Promise<InProcessRun> {
  let stdout = "";
  let stderr = "";
  const plan = parseLoadOptions(url, {
    stepDuration: DEFAULTS.stepDuration,
    warmup: DEFAULTS.warmup,
    method: DEFAULTS.method,
    header: [],
    timeout: DEFAULTS.timeout,
    expectStatus: DEFAULTS.expectStatus,
    threshold: [],
    ...options,
  });
  const { code, report } = await runLoad(plan, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, report, stdout, stderr };
}
