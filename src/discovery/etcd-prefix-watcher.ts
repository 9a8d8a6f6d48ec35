import { setTimeout as delay } from "node:timers/promises";
import type { Parsed } from "../config/parsed.ts";
import type { Random } from "../shared/clock.ts";
import { Backoff } from "./backoff.ts";
import { etcdErrorType, type EtcdErrorType } from "./etcd-errors.ts";
import type { PrefixSource } from "./etcd-prefix-source.ts";
import {
  ETCD_BACKOFF_BASE_MS,
  ETCD_BACKOFF_MAX_MS,
  ETCD_PROGRESS_INTERVAL_MS,
  ETCD_PROGRESS_TIMEOUT_MS,
} from "./etcd-timing.ts";
import { runWatchSession, type WatchEvent } from "./etcd-watch-session.ts";

/** A key whose value decoded, and what it decoded to. */
export interface PrefixEntry<T> {
  readonly key: string;
  readonly value: T;
}

/** What a {@link EtcdPrefixWatcher} reports. Called synchronously; must not throw. */
export interface PrefixWatcherHooks<T> {
  /** The full set of valid entries, sorted by key: after every list and every change. */
  onSnapshot(entries: readonly PrefixEntry<T>[]): void;
  /** etcd answered (a list, an event or a progress response): the set is current. */
  onSynced(): void;
  /** A list or the watch failed; the last set stands until a list succeeds. */
  onFailure(failure: {
    readonly type: EtcdErrorType;
    readonly error: unknown;
    readonly retryInMs: number;
  }): void;
  /** A value that does not decode: that key has no entry. Reported once per value written. */
  onMalformed(key: string, message: string): void;
}

export interface PrefixWatcherOptions<T> {
  readonly prefix: string;
  readonly decode: (value: Buffer) => Parsed<T>;
  readonly random?: Random;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly progressIntervalMs?: number;
  readonly progressTimeoutMs?: number;
}

interface Stored<T> {
  readonly modRevision: number;
  readonly decoded: Parsed<T>;
}

/**
 * Keeps the live contents of ONE etcd prefix: list, then watch from the list's revision + 1 so no
 * change between the two is lost; when the watch ends for any reason (compaction, cancel, stream
 * error, a reconnect, no answer to a progress request) wait a backoff and list again, and report
 * the set if it differs. Never resumes a watch blind, so it cannot miss a change or hot-loop on a
 * compacted revision (flannel #2470). Knows nothing about pools: snapshots go to the hooks.
 */
export class EtcdPrefixWatcher<T> {
  readonly #source: PrefixSource;
  readonly #options: PrefixWatcherOptions<T>;
  readonly #hooks: PrefixWatcherHooks<T>;
  readonly #backoff: Backoff;
  readonly #abort = new AbortController();
  readonly #entries = new Map<string, Stored<T>>();
  #lists = 0;
  #snapshots = 0;
  #running: Promise<void> | undefined;

  constructor(source: PrefixSource, options: PrefixWatcherOptions<T>, hooks: PrefixWatcherHooks<T>) {
    this.#source = source;
    this.#options = options;
    this.#hooks = hooks;
    this.#backoff = new Backoff(
      options.backoff ?? { baseMs: ETCD_BACKOFF_BASE_MS, maxMs: ETCD_BACKOFF_MAX_MS },
      options.random ?? Math.random,
    );
  }

  /** Lists made so far (the first one and every recovery): a hot loop shows here. */
  get lists(): number {
    return this.#lists;
  }

  /**
   * Starts watching. Resolves after the first attempt: the first snapshot was reported, or the
   * first list failed (and `onFailure` said so). It keeps trying in the background either way.
   */
  start(): Promise<void> {
    if (this.#running) throw new Error("EtcdPrefixWatcher.start() called twice");
    return new Promise<void>((firstAttempt) => {
      this.#running = this.#run(firstAttempt);
    });
  }

  /** Stops watching; resolves once nothing is left running. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #run(firstAttempt: () => void): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        const listing = await this.#source.list(this.#options.prefix);
        if (signal.aborted) break;
        this.#lists += 1;
        this.#applyList(listing.kvs);
        this.#hooks.onSynced();
        firstAttempt();
        const stream = await this.#source.openWatchStream();
        await runWatchSession(
          stream,
          {
            prefix: this.#options.prefix,
            startRevision: listing.revision + 1,
            progressIntervalMs: this.#options.progressIntervalMs ?? ETCD_PROGRESS_INTERVAL_MS,
            progressTimeoutMs: this.#options.progressTimeoutMs ?? ETCD_PROGRESS_TIMEOUT_MS,
          },
          {
            onEvents: (events) => this.#applyEvents(events),
            onAlive: () => this.#onAlive(),
          },
          signal,
        );
      } catch (error) {
        if (signal.aborted) break;
        const retryInMs = this.#backoff.next();
        this.#hooks.onFailure({ type: etcdErrorType(error), error, retryInMs });
        firstAttempt();
        await delay(retryInMs, undefined, { signal }).catch(() => undefined);
      }
    }
    firstAttempt();
  }

  #onAlive(): void {
    // Only an answer on a live watch proves the connection healthy; a list alone does not (a watch
    // compacted right after its list would otherwise retry at the base delay forever).
    this.#backoff.reset();
    this.#hooks.onSynced();
  }

  #applyList(kvs: readonly { key: string; value: Buffer; modRevision: number }[]): void {
    let changed = this.#snapshots === 0;
    const listed = new Set<string>();
    for (const kv of kvs) {
      listed.add(kv.key);
      if (this.#store(kv.key, kv.value, kv.modRevision)) changed = true;
    }
    for (const key of this.#entries.keys()) {
      if (!listed.has(key)) {
        this.#entries.delete(key);
        changed = true;
      }
    }
    if (changed) this.#report();
  }

  #applyEvents(events: readonly WatchEvent[]): void {
    let changed = false;
    for (const event of events) {
      if (event.type === "put") {
        if (this.#store(event.key, event.value, event.modRevision)) changed = true;
      } else if (this.#entries.delete(event.key)) {
        changed = true;
      }
    }
    if (changed) this.#report();
  }

  /** Decodes a value unless this exact revision of the key is already known. */
  #store(key: string, value: Buffer, modRevision: number): boolean {
    if (this.#entries.get(key)?.modRevision === modRevision) return false;
    const decoded = this.#options.decode(value);
    if (!decoded.ok) this.#hooks.onMalformed(key, decoded.message);
    this.#entries.set(key, { modRevision, decoded });
    return true;
  }

  #report(): void {
    this.#snapshots += 1;
    const entries: PrefixEntry<T>[] = [];
    for (const [key, stored] of this.#entries) {
      if (stored.decoded.ok) entries.push({ key, value: stored.decoded.value });
    }
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.#hooks.onSnapshot(entries);
  }
}
