import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { TracewayError } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type { UpstreamSide } from "../upstream/canary-split.ts";
import type { Upstream } from "../upstream/upstream.ts";
import type { AttemptContext, AttemptDeps } from "./attempt-context.ts";
import { chooseSide, hasUntried } from "./backend-selector.ts";
import { dispatchHashKey } from "./hash-key.ts";
import type { AttemptObservation, RequestObservation } from "./observer.ts";
import type { RunningAttempt } from "./transports/transport.ts";

/** A request made inside the process (the Kafka bridge's message), sent through an upstream. */
export interface DispatchRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  /** Sent as given, plus `host` and trace context; keep hop-by-hop names out. */
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer | undefined;
  /**
   * What hash strategies place the request by when the upstream's `hashKey` is `ip` (a dispatch
   * has no client address) or names a header it lacks: the bridge passes the message key.
   */
  readonly identity: string;
  /** Bounded label for telemetry and the access log, e.g. `kafka:orders`. */
  readonly route: string;
}

/** How a dispatch ended. */
export interface DispatchResult {
  /** The response status, or `undefined` when no attempt produced a response (see `error`). */
  readonly status: number | undefined;
  readonly headers: IncomingHttpHeaders;
  /** The first bytes of the body of a response that is not 2xx, for error reports. */
  readonly body: Buffer;
  /** Set when no attempt produced a response: no healthy backend, queue full, timeout, ... */
  readonly error: TracewayError | undefined;
  /** `host:port` of the backend that answered. */
  readonly backend: string | undefined;
  /** Backend attempts after the first (the upstream's own `retry`). */
  readonly retries: number;
}

/**
 * One dispatch on its way through the attempt loop, what a {@link ForwardedRequest} is for a
 * client request. The body is a buffer, so every backend the upstream's retry policy moves on to
 * gets it whole (a streamed client body can only go to one backend once read).
 */
export class DispatchedRequest implements AttemptContext {
  readonly deps: AttemptDeps;
  readonly upstream: Upstream;
  readonly obs: RequestObservation;
  readonly method: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly preservedHost = undefined;
  readonly body: Buffer | undefined;
  readonly bodyCounter = { bytes: 0 };
  readonly client = undefined;
  readonly hashKey: string;
  readonly startedAt: number;
  side: UpstreamSide;
  tried: Backend[] | undefined = undefined;
  clientGone = false;
  running: RunningAttempt | undefined = undefined;
  attemptObs: AttemptObservation | undefined = undefined;
  attemptStartedAt = 0;
  attemptMs = 0;
  error: TracewayError | undefined = undefined;

  constructor(deps: AttemptDeps, upstream: Upstream, obs: RequestObservation, request: DispatchRequest) {
    this.deps = deps;
    this.upstream = upstream;
    this.obs = obs;
    this.method = request.method;
    this.path = request.path;
    // A copy: the loop sets host and the observer trace context on it, per dispatch.
    this.headers = { ...request.headers };
    this.body = request.body;
    this.hashKey = dispatchHashKey(upstream.config.hashKey, request.path, request.headers, request.identity);
    this.startedAt = deps.clock.now();
    // A canary split takes dispatches at its share; the override header, when the bridge's
    // configured headers carry it, pins them. There is no cookie to set: a dispatch has no client.
    this.side =
      upstream.canary === undefined
        ? upstream
        : chooseSide(upstream, { headers: splitHeaders(request.headers) }).side;
  }

  get attempts(): number {
    return this.tried?.length ?? 0;
  }

  elapsedMs(): number {
    return this.deps.clock.now() - this.startedAt;
  }

  bodyRead(): boolean {
    return false;
  }

  hasUntriedCandidate(): boolean {
    // As for a client request: a canary dispatch with nothing left on its side falls back to stable.
    return (
      hasUntried(this.side, this.tried) ||
      (this.side !== this.upstream && hasUntried(this.upstream, this.tried))
    );
  }

  /** The caller gave up (shutdown deadline): no new attempt, and the running one is cancelled. */
  abort(): void {
    this.clientGone = true;
    this.running?.abort();
  }
}

/** The string-valued headers, which are all a canary split reads (its override header). */
function splitHeaders(headers: OutgoingHttpHeaders): IncomingHttpHeaders {
  const result: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === "string") result[name] = value;
  return result;
}
