import type { RetryConfig } from "../config/types.ts";
import type { UpstreamErrorType } from "./error-classify.ts";

/** RFC 9110 §9.2.2 idempotent methods: safe to resend even after they reached a backend. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

/** `retry.on` compiled once per upstream into fast lookups. */
export class RetryPolicy {
  readonly tries: number;
  readonly budgetMs: number;
  readonly #onError: boolean;
  readonly #onTimeout: boolean;
  readonly #statuses: ReadonlySet<number>;

  constructor(config: RetryConfig) {
    this.tries = config.tries;
    this.budgetMs = config.timeoutMs;
    this.#onError = config.on.includes("error");
    this.#onTimeout = config.on.includes("timeout");
    const statuses = new Set<number>();
    for (const cond of config.on) if (cond.startsWith("http_")) statuses.add(Number(cond.slice(5)));
    this.#statuses = statuses;
  }

  /** nginx proxy_next_upstream_timeout: no new attempt once this much time has gone (0 = no limit). */
  budgetSpent(elapsedMs: number): boolean {
    return this.budgetMs > 0 && elapsedMs >= this.budgetMs;
  }

  retriesStatus(status: number): boolean {
    return this.#statuses.has(status);
  }

  retriesError(type: UpstreamErrorType): boolean {
    return type === "timeout" ? this.#onTimeout : this.#onError;
  }
}
