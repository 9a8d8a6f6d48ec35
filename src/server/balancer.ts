import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import express, { type Express, type RequestHandler } from "express";
import pino, { type Logger } from "pino";
import type { TracewayConfig } from "../config/types.ts";
import { TracewayError } from "../errors.ts";
import type { DiscoveryEvents } from "../discovery/provider.ts";
import type { HealthEvents } from "../health/upstream-health.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import { BackendAgents } from "../proxy/agents.ts";
import { answerClientError } from "../proxy/client-error.ts";
import { sendError } from "../proxy/error-response.ts";
import { HttpForwarder } from "../proxy/http-forwarder.ts";
import { createTransport } from "../proxy/transports.ts";
import { noopObserver, type ProxyObserver } from "../proxy/observer.ts";
import { TrustedProxies } from "../proxy/trusted-proxies.ts";
import type { Upstream } from "../upstream/upstream.ts";
import { rejectUpgrade, WebSocketProxy } from "../proxy/websocket-proxy.ts";
import { systemClock, systemRandom, type Clock, type Random } from "../shared/clock.ts";
import { Router } from "./router.ts";
import { UpstreamRegistry } from "../upstream/upstream-registry.ts";

/** Options for {@link startBalancer}. */
export interface BalancerOptions {
  readonly config: TracewayConfig;
  /** Telemetry hooks; defaults to none. */
  readonly observer?: ProxyObserver;
  readonly logger?: Logger;
  /**
   * Express middleware that runs before the proxy, in order (auth, rate limits, extra routes).
   * Without any, requests skip Express entirely and go straight to the proxy.
   */
  readonly middleware?: readonly RequestHandler[];
  /** Health and ejection transitions, for telemetry and logs. */
  readonly healthEvents?: HealthEvents;
  /** Discovery problems (a provider that fails), for telemetry and logs; logged by default. */
  readonly discoveryEvents?: DiscoveryEvents;
  readonly clock?: Clock;
  readonly random?: Random;
}

/** A running balancer. */
export interface RunningBalancer {
  /** `http://host:port` the balancer listens on. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** The Express app requests pass through when middleware is configured. */
  readonly app: Express;
  readonly pools: ReadonlyMap<string, UpstreamPool>;
  /** Apply a new, already validated config: new requests use it, in-flight ones finish on the old one. */
  reload(config: TracewayConfig): void;
  /** Connection queues of upstreams with `maxConnsPerBackend`, by upstream name (current config). */
  queues(): ReadonlyMap<string, { readonly length: number }>;
  /** Requests currently being served. */
  activeRequests(): number;
  /** Sockets held open towards backends (busy and idle). */
  upstreamSocketCount(): number;
  /** Graceful stop: refuse new work, drain in-flight requests until the shutdown deadline, free sockets. */
  close(): Promise<void>;
}

interface Generation {
  readonly config: TracewayConfig;
  readonly router: Router;
  readonly upstreams: ReadonlyMap<string, Upstream>;
}

/** Starts the balancer described by `config` and resolves once it listens. */
export async function startBalancer(options: BalancerOptions): Promise<RunningBalancer> {
  const logger = options.logger ?? pino({ level: options.config.logging.level });
  const clock = options.clock ?? systemClock;
  const registry = new UpstreamRegistry({
    clock,
    random: options.random ?? systemRandom,
    events: combinedEvents(
      options.healthEvents ?? loggingHealthEvents(logger),
      options.discoveryEvents ?? loggingDiscoveryEvents(logger),
    ),
  });
  const agents = new BackendAgents();
  let trusted = new TrustedProxies(options.config.server.trustedProxies);
  const observer = options.observer ?? noopObserver;
  const transport = createTransport(options.config.server.transport, new BackendAgents());
  let forwarder = new HttpForwarder({ trusted, observer, logger, clock, transport });
  let websockets = new WebSocketProxy({ agents, trusted, logger });

  const build = (config: TracewayConfig): Generation => ({
    config,
    router: new Router(config.routes),
    upstreams: registry.apply(config.upstreams),
  });
  let generation = build(options.config);
  let active = 0;
  let draining = false;
  let drained: (() => void) | undefined;

  const onResponseClose = (): void => {
    active--;
    if (active === 0) drained?.();
  };

  const proxy = (req: IncomingMessage, res: ServerResponse): void => {
    if (draining) res.shouldKeepAlive = false;
    const gen = generation;
    const matched = gen.router.match(req);
    if (!matched) {
      sendError(
        res,
        new TracewayError("NO_ROUTE", `no route matches ${req.headers.host ?? ""}${req.url ?? ""}`),
      );
      return;
    }
    const upstream = gen.upstreams.get(matched.route.upstream);
    if (!upstream) {
      sendError(
        res,
        new TracewayError("NO_ROUTE", `route upstream "${matched.route.upstream}" is not configured`),
      );
      return;
    }
    active++;
    res.once("close", onResponseClose);
    forwarder.forward(req, res, matched.route, matched.label, upstream).catch((err: unknown) => {
      logger.error({ err }, "proxy failure");
      sendError(res, new TracewayError("UPSTREAM_BAD_RESPONSE", "internal proxy failure"));
    });
  };

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  for (const mw of options.middleware ?? []) app.use(mw);
  app.use((req, res) => proxy(req, res));
  const useExpress = (options.middleware?.length ?? 0) > 0;

  const server = createServer(useExpress ? app : proxy);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on("clientError", answerClientError);
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const gen = generation;
    const matched = draining ? undefined : gen.router.match(req);
    const upstream = matched && gen.upstreams.get(matched.route.upstream);
    if (!matched || !upstream) {
      rejectUpgrade(
        socket,
        new TracewayError(draining ? "SHUTTING_DOWN" : "NO_ROUTE", "no route for upgrade"),
      );
      return;
    }
    websockets.upgrade(req, socket, head, matched.route, upstream);
  });

  const { host, port } = options.config.server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost === "0.0.0.0" ? "127.0.0.1" : urlHost}:${address.port}`,
    port: address.port,
    server,
    app,
    get pools() {
      return registry.pools;
    },
    reload(config: TracewayConfig): void {
      trusted = new TrustedProxies(config.server.trustedProxies);
      // The transport is fixed at start-up: changing it needs a restart.
      forwarder = new HttpForwarder({ trusted, observer, logger, clock, transport });
      websockets = new WebSocketProxy({ agents, trusted, logger });
      generation = build(config);
      const ids = registry.backendIds();
      agents.retain(ids);
      transport.retain(ids);
      logger.info({ upstreams: [...config.upstreams.keys()] }, "configuration reloaded");
    },
    queues(): ReadonlyMap<string, { readonly length: number }> {
      const queues = new Map<string, { readonly length: number }>();
      for (const [name, upstream] of generation.upstreams)
        if (upstream.queue) queues.set(name, upstream.queue);
      return queues;
    },
    activeRequests: () => active,
    upstreamSocketCount: () => agents.socketCount() + transport.connectionCount(),
    async close(): Promise<void> {
      if (draining) return;
      draining = true;
      const deadline = generation.config.server.shutdownTimeoutMs;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, deadline);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      server.closeAllConnections();
      registry.stop();
      websockets.close();
      transport.close();
      agents.destroyAll();
      await closed;
    },
  };
}

function loggingHealthEvents(logger: Logger): HealthEvents {
  return {
    onHealthChange: (e) => logger.warn(e, e.up ? "backend up" : "backend down"),
    onEjection: (e) => logger.warn(e, "backend ejected"),
  };
}

function loggingDiscoveryEvents(logger: Logger): DiscoveryEvents {
  return {
    onDiscoveryError: (e) => logger.error({ upstream: e.upstream, provider: e.provider, err: e.error }, "discovery failed"),
  };
}

/** Method calls, not a spread: either hook may be a class instance whose methods live on its prototype. */
function combinedEvents(health: HealthEvents, discovery: DiscoveryEvents): HealthEvents & DiscoveryEvents {
  return {
    onHealthChange: (e) => health.onHealthChange(e),
    onEjection: (e) => health.onEjection(e),
    onDiscoveryError: (e) => discovery.onDiscoveryError(e),
  };
}
