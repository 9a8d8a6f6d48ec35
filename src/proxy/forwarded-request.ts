import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { RouteConfig } from "../config/types.ts";
import type { TracewayError } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type { Upstream } from "../upstream/upstream.ts";
import { SET_COOKIE, TO_CANARY, type UpstreamSide } from "../upstream/canary-split.ts";
import type { AttemptContext, AttemptDeps } from "./attempt-context.ts";
import { chooseSide, hasUntried } from "./backend-selector.ts";
import { hashKeyOf } from "./hash-key.ts";
import type { AttemptObservation, ProxyObserver, RequestObservation } from "./observer.ts";
import type { ResponseRelay } from "./relay.ts";
import type { TrustedProxies } from "./trusted-proxies.ts";
import type { RunningAttempt, TransportClient } from "./transports/transport.ts";

export interface ForwarderDeps extends AttemptDeps {
  readonly trusted: TrustedProxies;
  /** Also send the RFC 7239 `Forwarded` header (`server.forwarded`). */
  readonly forwarded?: boolean;
  readonly observer: ProxyObserver;
}

/**
 * One client request on its way through the forwarder: what the attempt loop, the retry policy
 * and the relay share. One object per request in place of a dozen closures and locals; it is
 * also the strategy's pick request and the policy's retry context.
 */
export class ForwardedRequest implements AttemptContext, TransportClient {
  readonly deps: ForwarderDeps;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Itself: the request and response http-proxy relays through. */
  readonly client: TransportClient;
  readonly path: string;
  readonly preservedHost: string | undefined;
  readonly route: RouteConfig;
  readonly upstream: Upstream;
  readonly obs: RequestObservation;
  readonly method: string;
  /** Headers sent upstream: the client's, hop-by-hop stripped, forwarding headers set (by the forwarder). */
  readonly headers: OutgoingHttpHeaders;
  readonly hashKey: string;
  /** The client's body, or undefined when the request has none. */
  readonly body: IncomingMessage | undefined;
  readonly startedAt: number;
  /** Client body bytes sent upstream so far (bytes-in telemetry). */
  readonly bodyCounter = { bytes: 0 };
  tried: Backend[] | undefined = undefined;
  clientGone = false;
  running: RunningAttempt | undefined = undefined;
  /** The observation of the attempt in progress (attempts run one after another). */
  attemptObs: AttemptObservation | undefined = undefined;
  attemptStartedAt = 0;
  /** How long the last attempt took to its response head or failure, for the strategy. */
  attemptMs = 0;
  /** Set once a response streams to the client: from then on a close is the relay's business. */
  relay: ResponseRelay | undefined = undefined;
  /** What the client gets if no attempt produces a response. */
  error: TracewayError | undefined = undefined;
  /** The side of a canary split picks come from (the upstream itself when it has no canary). */
  side: UpstreamSide;
  /** A stickiness cookie the response sets, when the split just placed a client without one. */
  readonly setCookie: string | undefined;

  constructor(
    deps: ForwarderDeps,
    req: IncomingMessage,
    res: ServerResponse,
    route: RouteConfig,
    upstream: Upstream,
    obs: RequestObservation,
    headers: OutgoingHttpHeaders,
    clientIp: string,
  ) {
    this.deps = deps;
    this.req = req;
    this.res = res;
    this.client = this;
    this.path = req.url ?? "/";
    const clientHost = req.headers.host;
    this.preservedHost = route.preserveHost && clientHost ? clientHost : undefined;
    this.route = route;
    this.upstream = upstream;
    this.obs = obs;
    this.method = req.method ?? "GET";
    this.headers = headers;
    this.hashKey = hashKeyOf(upstream.config.hashKey, req, clientIp);
    this.body = hasBody(req) ? req : undefined;
    this.startedAt = deps.clock.now();
    const { side, bits } = chooseSide(upstream, req);
    this.side = side;
    this.setCookie =
      (bits & SET_COOKIE) !== 0 ? upstream.canary?.setCookieFor((bits & TO_CANARY) !== 0) : undefined;
  }

  /** The one `close` listener of the response, for the request's whole life. */
  readonly onClose = (): void => {
    if (this.relay !== undefined) {
      this.relay.onClientClose();
      return;
    }
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.running?.abort();
  };

  get attempts(): number {
    return this.tried?.length ?? 0;
  }

  elapsedMs(): number {
    return this.deps.clock.now() - this.startedAt;
  }

  bodyRead(): boolean {
    return this.body?.readableDidRead ?? false;
  }

  hasUntriedCandidate(): boolean {
    // A canary request with nothing left on its side falls back to the stable side.
    return (
      hasUntried(this.side, this.tried) ||
      (this.side !== this.upstream && hasUntried(this.upstream, this.tried))
    );
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  if (length !== undefined) return length !== "0";
  return req.headers["transfer-encoding"] !== undefined;
}
