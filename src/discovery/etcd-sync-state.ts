import type { Logger } from "pino";
import type { Clock } from "../shared/clock.ts";
import type { DiscoveryObserver } from "./discovery-observer.ts";
import type { EtcdErrorType } from "./etcd-errors.ts";

/**
 * Whether an upstream's etcd-discovered set is current or stale, with one log line per change of
 * state (not per failed attempt: an etcd outage of an hour must not write thousands of warnings).
 */
export class EtcdSyncState {
  readonly #upstream: string;
  readonly #prefix: string;
  readonly #observer: DiscoveryObserver;
  readonly #logger: Logger;
  readonly #clock: Clock;
  #stale = false;
  #staleSince = 0;
  #failures = 0;

  constructor(deps: {
    upstream: string;
    prefix: string;
    observer: DiscoveryObserver;
    logger: Logger;
    clock: Clock;
  }) {
    this.#upstream = deps.upstream;
    this.#prefix = deps.prefix;
    this.#observer = deps.observer;
    this.#logger = deps.logger;
    this.#clock = deps.clock;
  }

  get stale(): boolean {
    return this.#stale;
  }

  /** etcd answered. */
  synced(): void {
    this.#observer.onSync({ upstream: this.#upstream, source: "etcd" });
    if (!this.#stale) return;
    this.#stale = false;
    this.#observer.onStale({ upstream: this.#upstream, source: "etcd", stale: false });
    this.#logger.info(
      {
        upstream: this.#upstream,
        prefix: this.#prefix,
        staleMs: Math.round(this.#clock.now() - this.#staleSince),
        failedAttempts: this.#failures,
      },
      "etcd discovery: reachable again, backend set is current",
    );
    this.#failures = 0;
  }

  /** A list or watch failed; `backends` is the size of the set that goes on being served. */
  failed(failure: { type: EtcdErrorType; error: unknown; retryInMs: number }, backends: number): void {
    this.#failures += 1;
    this.#observer.onError({ upstream: this.#upstream, source: "etcd", errorType: failure.type });
    const fields = {
      upstream: this.#upstream,
      prefix: this.#prefix,
      errorType: failure.type,
      error: failure.error instanceof Error ? failure.error.message : String(failure.error),
      backends,
      retryInMs: failure.retryInMs,
    };
    if (this.#stale) {
      this.#logger.debug(fields, "etcd discovery: still unreachable");
      return;
    }
    this.#stale = true;
    this.#staleSince = this.#clock.now();
    this.#observer.onStale({ upstream: this.#upstream, source: "etcd", stale: true });
    this.#logger.warn(
      fields,
      "etcd discovery: watch lost, serving the last known backend set (stale) until etcd answers",
    );
  }
}
