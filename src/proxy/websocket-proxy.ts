import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import httpProxy from "http-proxy";
import type { Logger } from "pino";
import type { RouteConfig } from "../config/types.ts";
import { TracewayError } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type { BackendAgents } from "./agents.ts";
import { setForwardingHeaders } from "./forwarding-headers.ts";
import { hashKeyOf } from "./hash-key.ts";
import type { TrustedProxies } from "./trusted-proxies.ts";
import type { Upstream } from "../upstream/upstream.ts";

/**
 * WebSocket (and other HTTP/1.1 Upgrade) tunnels through `http-proxy`'s `ws()`, which handles
 * the handshake relay and the bidirectional pipe. The backend is picked like any request and
 * counts as in flight until the tunnel closes, so least_conn sees long-lived sockets.
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

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, route: RouteConfig, upstream: Upstream): void {
    const forwarded: Record<string, string | string[] | undefined> = {};
    const clientIp = setForwardingHeaders(req, forwarded, this.#trusted);
    const backend = upstream.strategy.pick(upstream.pool.candidates(), {
      hashKey: hashKeyOf(upstream.config.hashKey, req, clientIp),
    });
    if (!backend) {
      rejectUpgrade(
        socket,
        new TracewayError("NO_HEALTHY_BACKEND", `no healthy backend in upstream "${upstream.name}"`),
      );
      return;
    }
    for (const [key, value] of Object.entries(forwarded)) if (value !== undefined) req.headers[key] = value;
    backend.inFlight++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      backend.inFlight--;
    };
    socket.once("close", release);
    this.#proxy.ws(
      req,
      socket,
      head,
      {
        target: backend.id,
        changeOrigin: !route.preserveHost,
        agent: this.#agents.get(backend, upstream.config.keepAlive),
        proxyTimeout: upstream.config.timeouts.connectMs + upstream.config.timeouts.responseMs,
      },
      (err) => {
        release();
        this.#logger.warn(
          { upstream: upstream.name, backend: backend.label, err },
          "websocket upgrade failed",
        );
        upstream.passive.record(backend, { kind: "connect_error" });
        rejectUpgrade(socket, failureFor(backend, err));
      },
    );
  }

  close(): void {
    this.#proxy.close();
  }
}

function failureFor(backend: Backend, err: Error): TracewayError {
  return new TracewayError("UPSTREAM_CONNECT", `backend ${backend.label}: ${err.message}`, { cause: err });
}

/** Answers a failed upgrade with a plain HTTP error on the raw socket. */
export function rejectUpgrade(socket: Duplex, error: TracewayError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(error.toJSON());
  socket.end(
    `HTTP/1.1 ${error.status} ${error.status === 503 ? "Service Unavailable" : "Bad Gateway"}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
