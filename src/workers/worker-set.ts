import cluster, { type Worker } from "node:cluster";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import type { ConfigSource } from "../config/load.ts";
import type { WorkerMetrics } from "./instance-metrics.ts";
import {
  isFromWorker,
  type FromWorker,
  type PoolStates,
  type StartFailure,
  type ToWorker,
  type UpstreamLoads,
  type WorkerInit,
} from "./protocol.ts";

/** The worker entry module, beside this one: `.ts` when run from source, `.js` from dist/. */
const WORKER_ENTRY = fileURLToPath(
  new URL(`./worker-main${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** A worker that dies sooner than this after it was started counts as a crash loop. */
const QUICK_EXIT_MS = 1000;
const FIRST_RESTART_DELAY_MS = 100;
/** Restarts of a worker that keeps dying at start wait twice as long each time, up to this. */
const MAX_RESTART_DELAY_MS = 10_000;

export interface WorkerSetOptions {
  readonly count: number;
  readonly logger: Logger;
  /** The init message of the worker in `slot`, which is to bind `port`. */
  readonly init: (slot: number, port: number) => WorkerInit;
  /** Protocol messages other than start-up and metrics replies. */
  readonly onMessage: (message: FromWorker, worker: Worker) => void;
  /** A worker is gone (crashed, killed, or stopped). */
  readonly onExit: (workerId: number) => void;
}

interface Member {
  readonly slot: number;
  readonly worker: Worker;
  readonly startedAt: number;
  listening: boolean;
}

/** A worker that could not start; `failure` is what it reported (or how it exited). */
export class WorkerStartError extends Error {
  readonly failure: StartFailure;
  constructor(slot: number, failure: StartFailure) {
    super(`worker ${slot} failed to start: ${failure.message}`);
    this.failure = failure;
  }
}

/**
 * The worker processes of one instance: forks them, hands each its init message, replaces one
 * that dies (logged, with a growing delay while replacements keep dying at start), and stops them
 * all on shutdown. The first worker binds first, so that port 0 resolves once and the others bind
 * the same port.
 */
export class WorkerSet {
  readonly #options: WorkerSetOptions;
  readonly #members = new Map<number, Member>();
  /** Requests awaiting replies: request id → worker id → resolver. */
  readonly #pending = new Map<number, Map<number, (reply: FromWorker | undefined) => void>>();
  #port = 0;
  #nextRequestId = 1;
  #stopping = false;
  #restartDelayMs = 0;
  readonly #restartTimers = new Set<NodeJS.Timeout>();

  constructor(options: WorkerSetOptions) {
    this.#options = options;
    // `advanced`: structured clone, so metric values such as Infinity and pool states cross intact.
    cluster.setupPrimary({ exec: WORKER_ENTRY, serialization: "advanced" });
  }

  /** Starts every worker; resolves with the URL they listen on once all do. */
  async start(port: number): Promise<string> {
    // Port 0: the first worker's bind picks the port the others then share. A known port: all at once.
    const first = port === 0 ? await this.#fork(1, port) : undefined;
    this.#port = first?.port ?? port;
    const rest = Array.from({ length: this.#options.count - (first ? 1 : 0) }, (_, i) =>
      this.#fork(i + (first ? 2 : 1), this.#port),
    );
    const results = await Promise.allSettled(rest);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    const bound = first ?? (results[0] as PromiseFulfilledResult<{ url: string }>).value;
    return bound.url;
  }

  /** Process ids of the workers now running, by slot. */
  pids(): Map<number, number> {
    const pids = new Map<number, number>();
    for (const m of this.#members.values()) if (m.worker.process.pid) pids.set(m.slot, m.worker.process.pid);
    return pids;
  }

  /** Sends `message` to every worker that has started; workers still starting get state with their init. */
  broadcast(message: ToWorker): void {
    for (const m of this.#members.values()) if (m.listening) send(m.worker, message);
  }

  /**
   * Every running worker's metrics, by worker id; a worker that does not answer within
   * `timeoutMs` (or dies meanwhile) is `undefined` in the result.
   */
  async collect(timeoutMs: number): Promise<Map<number, WorkerMetrics>> {
    const replies = await this.#ask((id) => ({ type: "collect", id }), timeoutMs);
    const metrics = new Map<number, WorkerMetrics>();
    for (const [worker, { slot, reply }] of replies)
      metrics.set(worker, { slot, metrics: reply?.type === "metrics" ? reply.metrics : undefined });
    return metrics;
  }

  /**
   * Sends `pools` to every running worker and resolves once each has them in force (or did not
   * answer within `timeoutMs`: the slots of those).
   */
  async syncPools(pools: PoolStates, timeoutMs: number): Promise<number[]> {
    const replies = await this.#ask((id) => ({ type: "pools", pools, id }), timeoutMs);
    return [...replies.values()].filter(({ reply }) => reply === undefined).map(({ slot }) => slot);
  }

  /**
   * Every running worker's traffic per backend (the admin API's view); a worker that does not
   * answer within `timeoutMs` is left out.
   */
  async loads(timeoutMs: number): Promise<UpstreamLoads[]> {
    const replies = await this.#ask((id) => ({ type: "load", id }), timeoutMs);
    return [...replies.values()].flatMap(({ reply }) => (reply?.type === "loads" ? [reply.upstreams] : []));
  }

  /**
   * Has every running worker apply `config` (already applied here); resolves with the problems of
   * workers that could not, or did not answer within `timeoutMs`. A worker starting meanwhile
   * gets the new config with its init.
   */
  async reload(config: ConfigSource, timeoutMs: number): Promise<string[]> {
    const replies = await this.#ask((id) => ({ type: "reload", id, config }), timeoutMs);
    const problems: string[] = [];
    for (const { slot, reply } of replies.values()) {
      if (reply === undefined) problems.push(`worker ${slot}: no answer within ${timeoutMs}ms`);
      else if (reply.type === "reloaded" && reply.error !== undefined)
        problems.push(`worker ${slot}: ${reply.error}`);
    }
    return problems;
  }

  /**
   * Sends one request to every running worker and gathers the replies that carry its id, by
   * worker id with the worker's slot.
   */
  async #ask(
    request: (id: number) => ToWorker,
    timeoutMs: number,
  ): Promise<Map<number, { slot: number; reply: FromWorker | undefined }>> {
    const id = this.#nextRequestId++;
    const waiting = new Map<number, (reply: FromWorker | undefined) => void>();
    this.#pending.set(id, waiting);
    const message = request(id);
    const replies = [...this.#members.values()]
      .filter((m) => m.listening)
      .map(
        (m) =>
          new Promise<[number, { slot: number; reply: FromWorker | undefined }]>((resolve) => {
            const timer = setTimeout(() => answer(undefined), timeoutMs);
            const answer = (reply: FromWorker | undefined): void => {
              clearTimeout(timer);
              waiting.delete(m.worker.id);
              resolve([m.worker.id, { slot: m.slot, reply }]);
            };
            waiting.set(m.worker.id, answer);
            send(m.worker, message);
          }),
      );
    try {
      return new Map(await Promise.all(replies));
    } finally {
      this.#pending.delete(id);
    }
  }

  /** Tells every worker to drain and exit; kills those still running after `deadlineMs`. */
  async stop(deadlineMs: number): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#restartTimers) clearTimeout(timer);
    const exits = [...this.#members.values()].map((m) => exited(m.worker));
    for (const m of this.#members.values()) {
      if (m.worker.isConnected()) send(m.worker, { type: "shutdown" });
      else m.worker.process.kill("SIGTERM");
    }
    const deadline = setTimeout(() => this.kill(), deadlineMs);
    try {
      await Promise.all(exits);
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Kills every worker at once (a second signal). */
  kill(): void {
    this.#stopping = true;
    for (const m of this.#members.values()) m.worker.process.kill("SIGKILL");
  }

  /** Forks the worker of `slot` and resolves with its address once it listens. */
  #fork(slot: number, port: number): Promise<{ port: number; url: string }> {
    const worker = cluster.fork();
    const member: Member = { slot, worker, startedAt: performance.now(), listening: false };
    this.#members.set(worker.id, member);
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: WorkerStartError | undefined, bound = { port: 0, url: "" }): void => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve(bound);
      };
      worker.on("message", (message: unknown) => {
        if (!isFromWorker(message)) return;
        switch (message.type) {
          case "ready":
            send(worker, this.#options.init(slot, port));
            return;
          case "listening":
            member.listening = true;
            settle(undefined, { port: message.port, url: message.url });
            return;
          case "failed":
            settle(new WorkerStartError(slot, message.failure));
            return;
          case "metrics":
          case "reloaded":
          case "loads":
          case "applied":
            this.#pending.get(message.id)?.get(worker.id)?.(message);
            return;
          default:
            this.#options.onMessage(message, worker);
        }
      });
      worker.on("exit", (code: number | null, signal: NodeJS.Signals | null) => {
        this.#members.delete(worker.id);
        for (const waiting of this.#pending.values()) waiting.get(worker.id)?.(undefined);
        this.#options.onExit(worker.id);
        settle(
          new WorkerStartError(slot, { message: `exited (${signal ?? `code ${code}`}) before listening` }),
        );
        if (!this.#stopping) this.#replace(member, code, signal);
      });
    });
  }

  #replace(member: Member, code: number | null, signal: NodeJS.Signals | null): void {
    const lived = performance.now() - member.startedAt;
    this.#restartDelayMs =
      lived < QUICK_EXIT_MS
        ? Math.min(Math.max(this.#restartDelayMs * 2, FIRST_RESTART_DELAY_MS), MAX_RESTART_DELAY_MS)
        : 0;
    const { logger } = this.#options;
    logger.error(
      {
        worker: member.slot,
        worker_pid: member.worker.process.pid,
        code,
        signal,
        restart_in_ms: this.#restartDelayMs,
      },
      "worker exited unexpectedly; starting a replacement",
    );
    const timer = setTimeout(() => {
      this.#restartTimers.delete(timer);
      if (this.#stopping) return;
      this.#fork(member.slot, this.#port).then(
        () =>
          logger.info({ worker: member.slot, worker_pid: this.pids().get(member.slot) }, "worker replaced"),
        (err: unknown) => logger.error({ worker: member.slot, err }, "replacement worker failed to start"),
      );
    }, this.#restartDelayMs);
    this.#restartTimers.add(timer);
  }
}

function send(worker: Worker, message: ToWorker): void {
  if (!worker.isConnected()) return;
  // A worker that died after the check: its exit is handled where it is reported.
  worker.send(message, undefined, () => undefined);
}

function exited(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => worker.once("exit", () => resolve()));
}
