/**
 * The main thread's side of the load generator: starts the worker threads, splits each step's
 * connections or rate over them, merges their snapshots into a live view and their final
 * histograms and counts into the step's raw result.
 */
import { extname } from "node:path";
import { Worker } from "node:worker_threads";
import { decodeHistogram, newHistogram, type Histogram } from "./latency-histogram.ts";
import type { LoadMode, RequestSpec, StatusRange } from "./types.ts";
import {
  addCounts,
  emptyCounts,
  type FromWorker,
  type Snapshot,
  type StepCounts,
  type StepDone,
  type ToWorker,
  type WorkerInit,
} from "./worker-protocol.ts";

// The worker runs from source (.ts, type-stripped) in development and from dist (.js) when built.
const WORKER_URL = new URL(`./load-worker${extname(import.meta.url)}`, import.meta.url);
/** Steps start this long after they are sent, so every worker begins at the same instant. */
const START_DELAY_MS = 50;
const CLOSE_GRACE_MS = 1000;

export interface GeneratorOptions {
  readonly workers: number;
  readonly mode: LoadMode;
  readonly request: RequestSpec;
  readonly timeoutMs: number;
  readonly expectStatus: readonly StatusRange[];
  readonly maxConnections: number;
  readonly snapshotMs: number;
}

/** Everything measured so far in the running step, for the progress line. */
export interface LiveStep {
  readonly elapsedMs: number;
  readonly counts: StepCounts;
  readonly histogram: Histogram;
}

/** One step as measured, before analysis (step-summary.ts). */
export interface RawStep {
  readonly level: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly counts: StepCounts;
  readonly statuses: Map<number, number>;
  readonly errorKinds: Map<string, number>;
  readonly histogram: Histogram;
  readonly workerCpu: ReadonlyArray<{ readonly cpuMs: number; readonly wallMs: number }>;
  /** Ended early by {@link LoadGenerator.stop}. */
  readonly stopped: boolean;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

/** One step's messages from every worker: snapshots merged for the live view, final reports kept. */
class StepCollector {
  readonly live = newHistogram();
  readonly done: StepDone[] = [];
  readonly #latest: StepCounts[];

  constructor(workers: number) {
    this.#latest = Array.from({ length: workers }, () => emptyCounts());
  }

  /** Adds a worker's snapshot; returns the counts summed over every worker's latest snapshot. */
  snapshot(index: number, message: Snapshot): StepCounts {
    this.live.add(decodeHistogram(message.histogram));
    this.#latest[index] = message.counts;
    const counts = emptyCounts();
    for (const c of this.#latest) addCounts(counts, c);
    return counts;
  }
}

export class LoadGenerator {
  readonly #workers: Worker[];
  readonly #options: GeneratorOptions;
  #stepId = 0;
  /** Set by stop() while a step runs: that step's window ended here. */
  #stoppedAt: number | undefined;
  #closing = false;
  #failure: ((error: Error) => void) | undefined;

  private constructor(workers: Worker[], options: GeneratorOptions) {
    this.#workers = workers;
    this.#options = options;
    for (const worker of workers) {
      worker.on("error", (error) => this.#failure?.(error));
      worker.on("message", (message: FromWorker) => {
        if (message.type === "fatal") this.#failure?.(new Error(`load worker failed: ${message.message}`));
      });
      worker.on("exit", (code) => {
        if (!this.#closing) this.#failure?.(new Error(`load worker exited unexpectedly (code ${code})`));
      });
    }
  }

  static async start(options: GeneratorOptions): Promise<LoadGenerator> {
    const workers = Array.from({ length: options.workers }, (_, index) => {
      const init: WorkerInit = {
        index,
        target: options.request.target,
        request: new Uint8Array(options.request.bytes),
        noBody: options.request.noBody,
        timeoutMs: options.timeoutMs,
        expectStatus: options.expectStatus,
        snapshotMs: options.snapshotMs,
      };
      return new Worker(WORKER_URL, { workerData: init });
    });
    await Promise.all(workers.map(ready));
    return new LoadGenerator(workers, options);
  }

  get workers(): number {
    return this.#workers.length;
  }

  /** Runs one step at `level` for `durationMs`; `onLive` sees the merged snapshots as they come. */
  runStep(level: number, durationMs: number, onLive?: (live: LiveStep) => void): Promise<RawStep> {
    const id = ++this.#stepId;
    this.#stoppedAt = undefined;
    const startAt = epochNow() + START_DELAY_MS;
    const endAt = startAt + durationMs;
    const collector = new StepCollector(this.#workers.length);
    return new Promise<RawStep>((resolve, reject) => {
      const listeners = this.#workers.map((worker, index) => {
        const listener = (message: FromWorker): void => {
          if (message.type === "snapshot" && message.id === id) {
            const counts = collector.snapshot(index, message);
            const elapsedMs = Math.min(durationMs, epochNow() - startAt);
            onLive?.({ elapsedMs, counts, histogram: collector.live });
          } else if (message.type === "done" && message.id === id) {
            collector.done.push(message);
            if (collector.done.length === this.#workers.length) finish();
          }
        };
        worker.on("message", listener);
        return listener;
      });
      const cleanup = (): void => {
        this.#workers.forEach((worker, index) => worker.off("message", listeners[index]!));
        this.#failure = undefined;
      };
      const finish = (): void => {
        cleanup();
        resolve(this.#merge(level, startAt, Math.min(endAt, this.#stoppedAt ?? endAt), collector.done));
      };
      this.#failure = (error) => {
        cleanup();
        reject(error);
      };
      this.#workers.forEach((worker, index) =>
        worker.postMessage(this.#command(id, level, index, startAt, endAt)),
      );
    });
  }

  /** Ends the running step now; it still resolves once the requests in flight have finished. */
  stop(): void {
    this.#stoppedAt = epochNow();
    for (const worker of this.#workers)
      worker.postMessage({ type: "stop", id: this.#stepId } satisfies ToWorker);
  }

  /** Asks each worker to close its connections and exit; one that does not within a second is terminated. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(
      this.#workers.map(async (worker) => {
        const exited = new Promise((resolve) => worker.once("exit", resolve));
        worker.postMessage({ type: "close" } satisfies ToWorker);
        const timer = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  #command(id: number, level: number, index: number, startAt: number, endAt: number): ToWorker {
    const n = this.#workers.length;
    const { mode, maxConnections } = this.#options;
    return {
      type: "step",
      id,
      mode,
      // Connections split as evenly as whole numbers allow; a rate split exactly, phases interleaved.
      level: mode === "connections" ? Math.floor(level / n) + (index < level % n ? 1 : 0) : level / n,
      phase: index / n,
      maxConnections: Math.max(1, Math.ceil(maxConnections / n)),
      startAt,
      endAt,
    };
  }

  #merge(level: number, startedAt: number, endedAt: number, done: readonly StepDone[]): RawStep {
    const counts = emptyCounts();
    const statuses = new Map<number, number>();
    const errorKinds = new Map<string, number>();
    const histogram = newHistogram();
    for (const d of done) {
      addCounts(counts, d.counts);
      for (const [status, n] of d.statuses) statuses.set(status, (statuses.get(status) ?? 0) + n);
      for (const [kind, n] of d.errorKinds) errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + n);
      histogram.add(decodeHistogram(d.histogram));
    }
    const stopped = this.#stoppedAt !== undefined;
    return {
      level,
      startedAt,
      endedAt,
      counts,
      statuses,
      errorKinds,
      histogram,
      workerCpu: done.map((d) => ({ cpuMs: d.cpuMs, wallMs: d.wallMs })),
      stopped,
    };
  }
}

/** Resolves on the worker's "ready" message, rejects if it fails to start. */
function ready(worker: Worker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", () => {
      worker.off("error", reject);
      resolve();
    });
  });
}
