import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { AnalysisView, CanaryPhase, TransitionView } from "./canary-view.ts";

/** What a canary keeps across restarts: enough to resume at the same step with the same history. */
export interface CanaryRecord {
  readonly version: 1;
  readonly upstream: string;
  /** Identifies the canary set (its backends or selector); a record for another set is not resumed. */
  readonly runKey: string;
  /** Names the run in stickiness cookies. */
  readonly runTag: string;
  readonly phase: CanaryPhase;
  readonly step: number;
  readonly failures: number;
  readonly idleIntervals: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly reason: string;
  readonly analyses: readonly AnalysisView[];
  readonly transitions: readonly TransitionView[];
}

/**
 * Where a canary's record lives: a file (`canary.stateFile`) or etcd (the upstream's discovery
 * etcd). `load` resolves undefined when nothing was saved yet; both throw on a store that cannot
 * be read or written, and the controller reports that and carries on in memory.
 */
export interface CanaryStateStore {
  /** For logs: `file /var/lib/traceway/api.json`, `etcd traceway/canary/api`. */
  readonly description: string;
  load(): Promise<CanaryRecord | undefined>;
  save(record: CanaryRecord): Promise<void>;
  close(): Promise<void>;
}

/** Checks that a parsed value is a record of this version for `upstream`, or says what is wrong. */
export function asRecord(value: unknown, upstream: string, where: string): CanaryRecord {
  const r = value as Partial<CanaryRecord> | null;
  if (r === null || typeof r !== "object" || r.version !== 1)
    throw new Error(`${where}: not a canary state (version 1)`);
  if (r.upstream !== upstream)
    throw new Error(
      `${where}: holds upstream ${JSON.stringify(r.upstream)}, not ${JSON.stringify(upstream)}`,
    );
  if (typeof r.runKey !== "string" || typeof r.phase !== "string" || typeof r.step !== "number") {
    throw new Error(`${where}: incomplete canary state`);
  }
  return r as CanaryRecord;
}

/** A JSON file, replaced atomically (write a temporary file, then rename) so a crash never leaves half a record. */
export class FileStateStore implements CanaryStateStore {
  readonly #file: string;
  readonly #upstream: string;
  readonly description: string;

  constructor(file: string, upstream: string) {
    this.#file = file;
    this.#upstream = upstream;
    this.description = `file ${file}`;
  }

  async load(): Promise<CanaryRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.#file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    return asRecord(JSON.parse(text), this.#upstream, this.#file);
  }

  async save(record: CanaryRecord): Promise<void> {
    await mkdir(dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
    await rename(temporary, this.#file);
  }

  async close(): Promise<void> {}
}
