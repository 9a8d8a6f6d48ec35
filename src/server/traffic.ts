import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { TracewayConfig } from "../config/types.ts";
import { TracewayError } from "../errors.ts";
import { sendError } from "../proxy/error-writer.ts";
import type { HttpForwarder } from "../proxy/http-forwarder.ts";
import type { UpstreamDispatcher } from "../proxy/upstream-dispatcher.ts";
import type { WebSocketProxy } from "../proxy/websocket-proxy.ts";
import type { Upstream } from "../upstream/upstream.ts";
import { requestProblem } from "./request-checks.ts";
import { Router } from "./router.ts";

/** What one config generation serves with; a reload swaps it whole, running requests keep theirs. */
export interface Generation {
  readonly config: TracewayConfig;
  readonly router: Router;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  readonly forwarder: HttpForwarder;
  /** In-process dispatches (the Kafka bridge) through the same upstreams. */
  readonly dispatcher: UpstreamDispatcher;
  readonly websockets: WebSocketProxy;
}

/**
 * Routes each request and upgrade to its upstream's forwarder, counts the ones in progress, and
 * drains them on shutdown. The two handlers are fields so `http.createServer` and Express take
 * them as they are, with no closure per request.
 */
export class Traffic {
  generation: Generation;
  #active = 0;
  #draining = false;
  #onIdle: (() => void) | undefined;
  readonly #logger: Logger;

  constructor(generation: Generation, logger: Logger) {
    this.generation = generation;
    this.#logger = logger;
  }

  get active(): number {
    return this.#active;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** The server's request listener: refuses what must not be proxied, then {@link route}s. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.admit(req, res)) this.route(req, res);
  };

  /**
   * False when the request was refused (framing a backend could read differently, a bad Host):
   * it is answered and its connection closed, since the bytes after it cannot be trusted.
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    const problem = requestProblem(req);
    if (problem === undefined) return true;
    res.shouldKeepAlive = false;
    // Through the forwarder, so the refusal is counted, traced and logged like any request.
    this.generation.forwarder.refuse(req, res, problem);
    return false;
  }

  /** Routes an admitted request to its upstream's forwarder (Express calls this after the middleware). */
  readonly route = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.#draining) res.shouldKeepAlive = false;
    const gen = this.generation;
    const matched = gen.router.match(req);
    if (!matched) {
      // Through the forwarder, so the 404 is counted, traced and logged like any request.
      gen.forwarder.refuse(
        req,
        res,
        new TracewayError("NO_ROUTE", `no route matches ${req.headers.host ?? ""}${req.url ?? ""}`),
      );
      return;
    }
    const upstream = gen.upstreams.get(matched.route.upstream);
    if (!upstream) {
      gen.forwarder.refuse(
        req,
        res,
        new TracewayError("NO_ROUTE", `route upstream "${matched.route.upstream}" is not configured`),
      );
      return;
    }
    this.#active++;
    res.once("close", this.#onResponseClose);
    gen.forwarder.forward(req, res, matched.route, matched.label, upstream).catch((err: unknown) => {
      this.#logger.error({ err }, "proxy failure");
      sendError(res, new TracewayError("UPSTREAM_BAD_RESPONSE", "internal proxy failure"));
    });
  };

  readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", () => socket.destroy());
    const gen = this.generation;
    const problem = requestProblem(req);
    if (problem !== undefined) {
      gen.websockets.refuse(req, socket, problem);
      return;
    }
    const matched = this.#draining ? undefined : gen.router.match(req);
    const upstream = matched && gen.upstreams.get(matched.route.upstream);
    if (!matched || !upstream) {
      const kind = this.#draining ? "SHUTTING_DOWN" : "NO_ROUTE";
      // Through the WebSocket proxy, so the refusal is counted, traced and logged.
      gen.websockets.refuse(
        req,
        socket,
        new TracewayError(kind, this.#draining ? "shutting down" : "no route for upgrade"),
      );
      return;
    }
    gen.websockets
      .upgrade(req, socket, head, matched.route, matched.label, upstream)
      .catch((err: unknown) => {
        this.#logger.error({ err }, "upgrade failure");
        socket.destroy();
      });
  };

  /** Refuses new work from now on and resolves when the last request ends or `deadlineMs` passes. */
  drain(deadlineMs: number): Promise<void> {
    this.#draining = true;
    if (this.#active === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, deadlineMs);
      this.#onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** An in-process dispatch began: a drain waits for it as for a client request. */
  enter(): void {
    this.#active++;
  }

  /** A request or dispatch ended. */
  leave(): void {
    this.#active--;
    if (this.#active === 0) this.#onIdle?.();
  }

  readonly #onResponseClose = (): void => this.leave();
}
