import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Logger } from "pino";
import type { TracewayError } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type { Clock } from "../shared/clock.ts";
import type { PickRequest } from "../strategies/strategy.ts";
import type { UpstreamSide } from "../upstream/canary-split.ts";
import type { RetryContext } from "../upstream/retry-policy.ts";
import type { Upstream } from "../upstream/upstream.ts";
import type { AttemptObservation, RequestObservation } from "./observer.ts";
import type { RunningAttempt, Transport, TransportClient } from "./transports/transport.ts";

/** What the attempt loop needs besides the request itself. */
export interface AttemptDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  /** How upstream requests are made (`server.transport`). */
  readonly transport: Transport;
}

/**
 * One request on its way through the attempt loop, whoever made it: a client's HTTP request
 * ({@link ForwardedRequest}) or an in-process dispatch ({@link DispatchedRequest}, the Kafka
 * bridge's). The loop reads the first group and writes the second; nothing here assumes a
 * node:http request, so both go through the same balancing, queueing, retries and telemetry.
 */
export interface AttemptContext extends PickRequest, RetryContext {
  readonly deps: AttemptDeps;
  readonly upstream: Upstream;
  readonly obs: RequestObservation;
  readonly method: string;
  /** Path and query sent upstream. */
  readonly path: string;
  /** Headers sent upstream; the loop sets `host` per attempt and the observer adds trace context. */
  readonly headers: OutgoingHttpHeaders;
  /** The `host` to send when the route preserves the client's; `undefined`: the backend's own. */
  readonly preservedHost: string | undefined;
  /** A client's streamed body, or a buffered one (dispatches) that every attempt can send again. */
  readonly body: IncomingMessage | Buffer | undefined;
  /** Body bytes sent upstream so far (bytes-in telemetry). */
  readonly bodyCounter: { bytes: number };
  /** The client connection, for transports that relay through it (http-proxy); none for dispatches. */
  readonly client: TransportClient | undefined;

  /** The side of a canary split picks come from (the upstream itself when it has no canary). */
  side: UpstreamSide;
  tried: Backend[] | undefined;
  /** The caller went away (client closed, dispatch aborted): no new attempt starts. */
  clientGone: boolean;
  running: RunningAttempt | undefined;
  /** The observation of the attempt in progress (attempts run one after another). */
  attemptObs: AttemptObservation | undefined;
  attemptStartedAt: number;
  /** How long the last attempt took to its response head or failure, for the strategy. */
  attemptMs: number;
  /** What the caller gets if no attempt produces a response. */
  error: TracewayError | undefined;
}
