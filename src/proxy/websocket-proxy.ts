import type { IncomingMessage } from "node:http";
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
  pickNow,
  pickQueued,
  releaseSlot,
  takeSlot,
} from "./backend-selector.ts";
import { sendSocketError } from "./error-writer.ts";
import { setForwardingHeaders } from "./forwarding-headers.ts";
import { hashKeyOf } from "./hash-key.ts";
import type { BackendAgents } from "./transports/agents.ts";
import type { TrustedProxies } from "./trusted-proxies.ts";

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
  readonly #logger: Logger;

  constructor(deps: { agents: BackendAgents; trusted: TrustedProxies; logger: Logger }) {
    this.#agents = deps.agents;
    this.#trusted = deps.trusted;
    this.#logger = deps.logger;
    // http-proxy emits 'error' on the server when a call has no callback; never let it throw.
    this.#proxy.on("error", (err) => this.#logger.warn({ err }, "websocket proxy error"));
  }

  async upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: RouteConfig,
    upstream: Upstream,
  ): Promise<void> {
    const forwarded: Record<string, string | string[] | undefined> = {};
    const clientIp = setForwardingHeaders(req, forwarded, this.#trusted);
    const backend = await this.#select(upstream, hashKeyOf(upstream.config.hashKey, req, clientIp), socket);
    if (backend === undefined) return;
    for (const [key, value] of Object.entries(forwarded)) if (value !== undefined) req.headers[key] = value;
    this.#tunnel(req, socket, head, route, upstream, backend);
  }

  close(): void {
    this.#proxy.close();
  }

  /** A backend with its slot taken, or undefined once the client has been answered. */
  async #select(upstream: Upstream, hashKey: string, socket: Duplex): Promise<Backend | undefined> {
    const request = { hashKey };
    let backend = pickNow(upstream, request, undefined);
    if (backend === MUST_QUEUE) {
      try {
        backend = await pickQueued(upstream, request, undefined);
      } catch (error) {
        sendSocketError(socket, error as TracewayError);
        return undefined;
      }
    }
    if (backend === undefined) {
      sendSocketError(socket, noHealthyBackend(upstream));
      return undefined;
    }
    if (socket.destroyed) {
      // The client gave up while queued; the slot it was woken for goes to the next waiter.
      upstream.queue?.release();
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
        upstream.passive.record(backend, { kind: "connect_error" });
        sendSocketError(socket, failureFor(backend, err));
      },
    );
  }
}

function failureFor(backend: Backend, err: Error): TracewayError {
  return new TracewayError("UPSTREAM_CONNECT", `backend ${backend.label}: ${err.message}`, { cause: err });
}
