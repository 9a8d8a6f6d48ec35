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
  type StepCounts,
  type StepDone,
  type ToWorker,
  type WorkerInit,
} from "./worker-protocol.ts";

// The worker runs from source (.ts, type-stripped) in development and from dist (.js) when built.
const WORKER_URL = new URL(`./load-worker${extname(import.meta.url)}`, import.meta.url);
/** Steps start this long after they are sent, so every worker begins at the same instant. */
const START_DELAY_MS = 50;

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

export class LoadGenerator {
  readonly #workers: Worker[];
  readonly #options: GeneratorOptions;
  #stepId = 0;
  #stopped = false;
  #failure: ((error: Error) => void) | undefined;

  private constructor(workers: Worker[], options: GeneratorOptions) {
    this.#workers = workers;
    this.#options = options;
    for (const worker of workers) {
      worker.on("error", (error) => this.#failure?.(error));
      worker.on("message", (message: FromWorker) => {
        if (message.type === "fatal") this.#failure?.(new Error(`load worker failed: ${message.message}`));
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
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once("error", reject);
            worker.once("message", () => {
              worker.off("error", reject);
              resolve();
            });
          }),
      ),
    );
    return new LoadGenerator(workers, options);
  }

  get workers(): number {
    return this.#workers.length;
  }

  /** Runs one step at `level` for `durationMs`; `onLive` sees the merged snapshots as they come. */
  runStep(level: number, durationMs: number, onLive?: (live: LiveStep) => void): Promise<RawStep> {
    const id = ++this.#stepId;
    this.#stopped = false;
    const startAt = epochNow() + START_DELAY_MS;
    const endAt = startAt + durationMs;
    const n = this.#workers.length;
    const live = newHistogram();
    const latest = this.#workers.map(() => emptyCounts());
    const done: StepDone[] = [];
    return new Promise<RawStep>((resolve, reject) => {
      const listeners = this.#workers.map((worker, index) => {
        const listener = (message: FromWorker): void => {
          if (message.type === "snapshot" && message.id === id) {
            live.add(decodeHistogram(message.histogram));
            latest[index] = message.counts;
            const counts = emptyCounts();
            for (const c of latest) addCounts(counts, c);
            onLive?.({ elapsedMs: Math.min(durationMs, epochNow() - startAt), counts, histogram: live });
          } else if (message.type === "done" && message.id === id) {
            done.push(message);
            if (done.length === n) finish();
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
        resolve(this.#merge(level, startAt, Math.min(endAt, this.#stoppedAt ?? endAt), done));
      };
      this.#failure = (error) => {
        cleanup();
        reject(error);
      };
      this.#workers.forEach((worker, index) =>
        this.#post(worker, this.#command(id, level, index, startAt, endAt)),
      );
    });
  }

  #stoppedAt: number | undefined;

  /** Ends the running step now; it still resolves once the requests in flight have finished. */
  stop(): void {
    this.#stopped = true;
    this.#stoppedAt = epochNow();
    for (const worker of this.#workers) this.#post(worker, { type: "stop", id: this.#stepId });
  }

  async close(): Promise<void> {
    for (const worker of this.#workers) this.#post(worker, { type: "close" });
    await Promise.all(this.#workers.map((worker) => new Promise((resolve) => worker.once("exit", resolve))));
  }

  #command(id: number, level: number, index: number, startAt: number, endAt: number): ToWorker {
    const n = this.#workers.length;
    const { mode, maxConnections } = this.#options;
    return {
      type: "step",
      id,
      mode,
      level: mode === "connections" ? Math.floor(level / n) + (index < level % n ? 1 : 0) : level / n,
      phase: index / n,
      maxConnections: Math.max(1, Math.ceil(maxConnections / n)),
      startAt,
      endAt,
    };
  }

  #post(worker: Worker, message: ToWorker): void {
    worker.postMessage(message);
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
    const stopped = this.#stopped;
    this.#stoppedAt = undefined;
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
