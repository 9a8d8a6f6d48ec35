import type { RetryConfig } from "../config/types.ts";
import { TracewayError } from "../errors.ts";
import type { UpstreamErrorType } from "../health/attempt-outcome.ts";
import { retriedStatuses } from "../health/upstream-health.ts";
import type { Backend } from "../pool/backend.ts";

/** RFC 9110 §9.2.2 idempotent methods: safe to resend even after they reached a backend. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

/** An attempt that ended without a response (the transport's error outcome satisfies it). */
export interface AttemptFailure {
  readonly errorType: UpstreamErrorType;
  readonly error: Error;
  /** The request reached an upstream socket, so a non-idempotent request must not be resent. */
  readonly sent: boolean;
  /** Body bytes were read from the client: they cannot be replayed to another backend. */
  readonly bodyConsumed: boolean;
}

/** What the policy asks about the request; the proxy's per-request state answers. */
export interface RetryContext {
  readonly method: string;
  /** Attempts made so far, the one just finished included. */
  readonly attempts: number;
  /** Milliseconds since the request's first attempt began. */
  elapsedMs(): number;
  /** Some of the client's body was read, so it cannot be sent again. */
  bodyRead(): boolean;
  /** A candidate this request has not tried yet exists. */
  hasUntriedCandidate(): boolean;
}

/** After a failed attempt: try another backend, or stop and answer the client with `error`. */
export interface RetryDecision {
  readonly retry: boolean;
  readonly error: TracewayError;
}

/**
 * `retry` compiled once per upstream, and the decisions of nginx's `proxy_next_upstream`: whether
 * another attempt may start, whether a failure or a status is retried, and the error a client
 * gets when the tries end.
 */
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
    this.#statuses = retriedStatuses(config.on);
  }

  /** nginx proxy_next_upstream_timeout: no new attempt once this much time has gone (0 = no limit). */
  budgetSpent(elapsedMs: number): boolean {
    return this.budgetMs > 0 && elapsedMs >= this.budgetMs;
  }

  /** Whether attempt number `attempt` (0-based) may begin. The first always may. */
  mayStart(attempt: number, request: RetryContext): boolean {
    return attempt === 0 || (attempt < this.tries && !this.budgetSpent(request.elapsedMs()));
  }

  retriesStatus(status: number): boolean {
    return this.#statuses.has(status);
  }

  retriesError(type: UpstreamErrorType): boolean {
    return type === "timeout" ? this.#onTimeout : this.#onError;
  }

  /**
   * After an attempt failed without a response. A request is resent only when its body was not
   * consumed, and, unless it is idempotent, only when it never reached the backend.
   */
  afterError(failure: AttemptFailure, backend: Backend, method: string): RetryDecision {
    const resendable = !failure.bodyConsumed && (isIdempotent(method) || !failure.sent);
    return {
      retry: resendable && this.retriesError(failure.errorType),
      error: errorFor(failure, backend),
    };
  }

  /**
   * After a response head arrived: true when `status` is one `retry.on` lists and the request can
   * still go elsewhere (tries and time left, body replayable, idempotent, an untried candidate).
   * Otherwise the response is relayed, whatever its status.
   */
  retriesResponse(status: number, request: RetryContext): boolean {
    return (
      this.#statuses.has(status) &&
      request.attempts < this.tries &&
      !request.bodyRead() &&
      isIdempotent(request.method) &&
      request.hasUntriedCandidate() &&
      !this.budgetSpent(request.elapsedMs())
    );
  }
}

/**
 * The error a client gets for a failed attempt, when no other attempt follows. A timeout before
 * the request was sent is a connect timeout: like a refused connection, no backend could take the
 * request, which HAProxy and Envoy answer 503 (errors.ts), where a response timeout is 504.
 */
export function errorFor(failure: AttemptFailure, backend: Backend): TracewayError {
  const where = `backend ${backend.label}`;
  const cause = failure.error;
  switch (failure.errorType) {
    case "timeout":
      return failure.sent
        ? new TracewayError("UPSTREAM_TIMEOUT", `${where}: ${cause.message}`, { cause })
        : new TracewayError("UPSTREAM_CONNECT", `${where}: ${cause.message}`, { cause });
    case "connect_error":
      return new TracewayError("UPSTREAM_CONNECT", `${where}: connection failed`, { cause });
    case "dns_error":
      return new TracewayError("UPSTREAM_DNS", `${where}: name resolution failed`, { cause });
    case "bad_response":
      return new TracewayError("UPSTREAM_BAD_RESPONSE", `${where}: invalid HTTP response`, { cause });
    case "reset":
      return new TracewayError("UPSTREAM_RESET", `${where}: connection reset`, { cause });
  }
}
