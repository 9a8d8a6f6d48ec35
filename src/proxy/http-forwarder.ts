import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { RouteConfig } from "../config/types.ts";
import { CLIENT_CLOSED, TracewayError } from "../errors.ts";
import type { Upstream } from "../upstream/upstream.ts";
import { runAttempts } from "./attempt-loop.ts";
import { sendError } from "./error-writer.ts";
import { ForwardedRequest, type ForwarderDeps } from "./forwarded-request.ts";
import { setForwardingHeaders } from "./forwarding-headers.ts";
import { withoutHopByHop } from "./hop-by-hop.ts";
import type { RequestObservation } from "./observer.ts";
import { ResponseRelay } from "./relay.ts";

export type { ForwarderDeps };

/**
 * Sends one client request to an upstream: the attempt loop picks backends and retries as the
 * upstream's policy says, then the relay streams the chosen response back, or the client gets
 * the error the attempts left.
 */
export class HttpForwarder {
  readonly #deps: ForwarderDeps;

  constructor(deps: ForwarderDeps) {
    this.#deps = deps;
  }

  forward(
    req: IncomingMessage,
    res: ServerResponse,
    route: RouteConfig,
    routeLabel: string,
    upstream: Upstream,
  ): Promise<void> {
    const headers = withoutHopByHop(req.headers);
    // Before the observation starts: the span takes the original client, scheme and host from them.
    const clientAddress = setForwardingHeaders(req, headers, this.#deps.trusted, this.#deps.forwarded);
    const obs = this.#deps.observer.onRequest({
      req,
      method: req.method ?? "GET",
      route: routeLabel,
      upstream: upstream.name,
      routeHost: route.match.host,
      scheme: headers["x-forwarded-proto"] as string,
      clientAddress,
      authority: headers["x-forwarded-host"] as string | undefined,
    });
    return obs.run
      ? obs.run(() => this.#forward(req, res, route, upstream, obs, headers, clientAddress))
      : this.#forward(req, res, route, upstream, obs, headers, clientAddress);
  }

  /**
   * Answers a request no upstream can take (no route matched) with `error`, observed like any
   * other request so it is counted, traced and logged.
   */
  refuse(req: IncomingMessage, res: ServerResponse, error: TracewayError): void {
    const obs = this.#deps.observer.onRequest({ req, method: req.method ?? "GET" });
    sendError(res, error);
    obs.end({ statusCode: error.status, retries: 0, errorCode: error.code, bytesIn: 0, bytesOut: 0 });
  }

  async #forward(
    req: IncomingMessage,
    res: ServerResponse,
    route: RouteConfig,
    upstream: Upstream,
    obs: RequestObservation,
    headers: OutgoingHttpHeaders,
    clientAddress: string,
  ): Promise<void> {
    const x = new ForwardedRequest(this.#deps, req, res, route, upstream, obs, headers, clientAddress);
    res.once("close", x.onClose);
    const response = await runAttempts(x);
    const backend = x.tried?.at(-1);
    if (response === undefined || backend === undefined) {
      answerFailure(x);
      return;
    }
    const relay = new ResponseRelay(x, response, backend, x.attempts - 1);
    x.relay = relay;
    // Relayed outside the request's context: see RequestObservation.outside.
    if (obs.outside) obs.outside(() => relay.start());
    else relay.start();
  }
}

/** No attempt produced a response: answer with the error the attempts left (or none: client gone). */
function answerFailure(x: ForwardedRequest): void {
  const { res, body } = x;
  res.off("close", x.onClose);
  if (body && !body.readableEnded) body.resume();
  const error = x.error ?? new TracewayError("UPSTREAM_CONNECT", `upstream "${x.upstream.name}" failed`);
  if (!x.clientGone) sendError(res, error);
  x.obs.end({
    // A client gone before any answer was sent no status (the access log says 499, as nginx).
    statusCode: x.clientGone ? undefined : error.status,
    retries: Math.max(0, x.attempts - 1),
    errorCode: x.clientGone ? CLIENT_CLOSED : error.code,
    bytesIn: x.bodyCounter.bytes,
    bytesOut: 0,
  });
}
