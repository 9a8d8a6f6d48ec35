import type { ClientRequest, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import httpProxy from "http-proxy";
import type { Logger } from "pino";
import type { RouteConfig } from "../config/types.ts";
import { TracewayError } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type { Upstream } from "../upstream/upstream.ts";
import {
  MUST_QUEUE,
  noHealthyBackend,
  chooseSide,
  pickNow,
  pickQueued,
  releaseSlot,
  sideWithCandidates,
  takeSlot,
} from "./backend-selector.ts";
import { sendSocketError } from "./error-writer.ts";
import { setForwardingHeaders } from "./forwarding-headers.ts";
import { hashKeyOf } from "./hash-key.ts";
import type { BackendAgents } from "./transports/agents.ts";
import { noopObserver, type ProxyObserver } from "./observer.ts";
import type { TrustedProxies } from "./trusted-proxies.ts";
import { UpgradeObservation } from "./upgrade-observation.ts";

/**
 * WebSocket (and other HTTP/1.1 Upgrade) tunnels through `http-proxy`'s `ws()`, which handles
 * the handshake relay and the bidirectional pipe. The backend is picked by the same selector as
 * any request, `maxConnsPerBackend` and its queue included, and holds its slot until the tunnel
 * closes, so least_conn and the connection limit see long-lived sockets.
 */
export class WebSocketProxy {
  readonly #proxy = httpProxy.createProxyServer({ ws: true, xfwd: false });
  readonly #agents: BackendAgents;
  readonly #trusted: TrustedProxies;
  readonly #forwardedHeader: boolean;
  readonly #logger: Logger;
  readonly #observer: ProxyObserver;
  /** The observation of each upgrade in flight, for http-proxy's events, which name only `req`. */
  readonly #observations = new WeakMap<IncomingMessage, UpgradeObservation>();

  constructor(deps: {
    agents: BackendAgents;
    trusted: TrustedProxies;
    forwarded?: boolean;
    logger: Logger;
    observer?: ProxyObserver;
  }) {
    this.#agents = deps.agents;
    this.#trusted = deps.trusted;
    this.#forwardedHeader = deps.forwarded ?? false;
    this.#logger = deps.logger;
    this.#observer = deps.observer ?? noopObserver;
    // http-proxy emits 'error' on the server when a call has no callback; never let it throw.
    this.#proxy.on("error", (err) => this.#logger.warn({ err }, "websocket proxy error"));
    this.#proxy.on("proxyReqWs", (proxyReq: ClientRequest, req: IncomingMessage) => {
      const observation = this.#observations.get(req);
      if (observation === undefined) return;
      // http-proxy relays a refusal (any status but 101: Node emits `upgrade` for a 101) as is,
      // and a 101 by opening the tunnel.
      proxyReq.once("response", (res: IncomingMessage) => observation.answered(res.statusCode ?? 0));
      proxyReq.once("upgrade", () => observation.answered(101));
    });
  }

  async upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: RouteConfig,
    routeLabel: string,
    upstream: Upstream,
  ): Promise<void> {
    const forwarded: Record<string, string | string[] | undefined> = {};
    const clientIp = setForwardingHeaders(req, forwarded, this.#trusted, this.#forwardedHeader);
    const obs = this.#observer.onRequest({
      req,
      method: req.method ?? "GET",
      route: routeLabel,
      upstream: upstream.name,
      routeHost: route.match.host,
      scheme: forwarded["x-forwarded-proto"] as string,
      clientAddress: clientIp,
      authority: forwarded["x-forwarded-host"] as string | undefined,
    });
    const observation = new UpgradeObservation(obs, upstream.name);
    const upgrade = async (): Promise<void> => {
      const hashKey = hashKeyOf(upstream.config.hashKey, req, clientIp);
      const backend = await this.#select(upstream, req, hashKey, socket, observation);
      if (backend === undefined) return;
      // An untrusted client's Forwarded is not passed on (setForwardingHeaders left none to set).
      if (forwarded["forwarded"] === undefined) delete req.headers.forwarded;
      for (const [key, value] of Object.entries(forwarded)) if (value !== undefined) req.headers[key] = value;
      this.#observations.set(req, observation);
      observation.attempt(req, backend);
      // The tunnel's sockets outlive the request: opened outside its context (RequestObservation.outside).
      const tunnel = (): void => this.#tunnel(req, socket, head, route, upstream, backend, observation);
      if (obs.outside) obs.outside(tunnel);
      else tunnel();
    };
    return obs.run ? obs.run(upgrade) : upgrade();
  }

  /** Answers an upgrade no upstream takes (no route, shutting down), observed like any request. */
  refuse(req: IncomingMessage, socket: Duplex, error: TracewayError): void {
    const obs = this.#observer.onRequest({ req, method: req.method ?? "GET" });
    sendSocketError(socket, error);
    new UpgradeObservation(obs, "").failed(error);
  }

  close(): void {
    this.#proxy.close();
  }

  /** A backend with its slot taken, or undefined once the client has been answered. */
  async #select(
    upstream: Upstream,
    req: IncomingMessage,
    hashKey: string,
    socket: Duplex,
    observation: UpgradeObservation,
  ): Promise<Backend | undefined> {
    const request = { hashKey };
    const side = sideWithCandidates(upstream, chooseSide(upstream, req).side, undefined);
    let backend = pickNow(upstream, side, request, undefined);
    if (backend === MUST_QUEUE) {
      try {
        backend = await pickQueued(upstream, side, request, undefined);
      } catch (error) {
        sendSocketError(socket, error as TracewayError);
        observation.failed(error as TracewayError);
        return undefined;
      }
    }
    if (backend === undefined) {
      const error = noHealthyBackend(upstream);
      sendSocketError(socket, error);
      observation.failed(error);
      return undefined;
    }
    if (socket.destroyed) {
      // The client gave up while queued; the slot it was woken for goes to the next waiter.
      upstream.queue?.release();
      observation.clientGone();
      return undefined;
    }
    takeSlot(backend);
    return backend;
  }

  #tunnel(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: RouteConfig,
    upstream: Upstream,
    backend: Backend,
    observation: UpgradeObservation,
  ): void {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      releaseSlot(upstream, backend);
    };
    socket.once("close", release);
    const { keepAlive, timeouts } = upstream.config;
    this.#proxy.ws(
      req,
      socket,
      head,
      {
        target: backend.id,
        changeOrigin: !route.preserveHost,
        agent: this.#agents.get(backend, keepAlive),
        proxyTimeout: timeouts.connectMs + timeouts.responseMs,
      },
      (err) => {
        release();
        this.#logger.warn(
          { upstream: upstream.name, backend: backend.label, err },
          "websocket upgrade failed",
        );
        const side = upstream.canary?.pool.backends.includes(backend) ? upstream.canary : upstream;
        side.passive.record(backend, { kind: "connect_error" });
        const error = failureFor(backend, err);
        sendSocketError(socket, error);
        observation.failed(error, "connect_error");
      },
    );
  }
}

function failureFor(backend: Backend, err: Error): TracewayError {
  return new TracewayError("UPSTREAM_CONNECT", `backend ${backend.label}: ${err.message}`, { cause: err });
}
