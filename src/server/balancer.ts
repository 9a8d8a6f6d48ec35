import { createServer, type Server, type ServerOptions } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express, type RequestHandler } from "express";
import pino, { type Logger } from "pino";
import { ConfigError } from "../config/config-error.ts";
import { BALANCER_RESTART_KEYS, restartNeeded } from "../config/restart-keys.ts";
import type { TracewayConfig } from "../config/types.ts";
import type { CanaryEvents } from "../canary/canary-controller.ts";
import { CanaryManager } from "../canary/canary-manager.ts";
import type { DiscoveryObserver } from "../discovery/discovery-observer.ts";
import type { DiscoveryEvents, ProviderFactory } from "../discovery/provider.ts";
import { createProvider } from "../discovery/registry.ts";
import { systemScheduler, type Scheduler } from "../health/scheduler.ts";
import type { HealthEvents } from "../health/upstream-health.ts";
import type { LatencySummary } from "../pool/latency-summary.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import { withDiagnostics } from "../proxy/diagnostics.ts";
import { HttpForwarder } from "../proxy/http-forwarder.ts";
import { noopObserver, type ProxyObserver } from "../proxy/observer.ts";
import { BackendAgents } from "../proxy/transports/agents.ts";
import { createTransport } from "../proxy/transports/index.ts";
import type { Transport } from "../proxy/transports/transport.ts";
import { createUndiciTransport } from "../proxy/transports/undici.ts";
import { UpstreamDispatcher } from "../proxy/upstream-dispatcher.ts";
import type { DispatchRequest, DispatchResult } from "../proxy/upstream-dispatcher.ts";
import { TrustedProxies } from "../proxy/trusted-proxies.ts";
import { WebSocketProxy } from "../proxy/websocket-proxy.ts";
import { TracewayError } from "../errors.ts";
import { systemClock, systemRandom, type Clock, type Random } from "../shared/clock.ts";
import { executeCommand, type ControlCommand } from "../upstream/control-commands.ts";
import type { Upstream } from "../upstream/upstream.ts";
import { UpstreamRegistry } from "../upstream/upstream-registry.ts";
import { clientErrorHandler } from "./client-errors.ts";
import {
  fannedOutEvents,
  loggingCanaryEvents,
  loggingDiscoveryEvents,
  loggingHealthEvents,
} from "./balancer-events.ts";
import { BalancerFeed } from "./balancer-feed.ts";
import { upstreamsWithNewPoolSettings } from "./pool-settings.ts";
import { Router } from "./router.ts";
import { Traffic, type Generation } from "./traffic.ts";

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
  /**
   * Makes each upstream's discovery provider. The default reads the config (`backends` is the
   * static provider); embedders may feed pools from their own registry instead.
   */
  readonly discovery?: ProviderFactory;
  /** What discovery reports as it runs (backend counts, errors, staleness), for metrics. */
  readonly discoveryObserver?: DiscoveryObserver;
  /** Canary transitions and analyses, for telemetry and logs; logged by default. */
  readonly canaryEvents?: CanaryEvents;
  readonly clock?: Clock;
  readonly random?: Random;
  /** Wall-clock milliseconds (default `Date.now`), for the times the admin API shows. */
  readonly now?: () => number;
  /** Timers of canary analyses (default the global timers). */
  readonly scheduler?: Scheduler;
  /**
   * `false` runs no active health checks: backend status is set on the pools from outside. A
   * worker of a multi-worker instance, whose primary probes once for the instance, runs so.
   */
  readonly activeHealthChecks?: boolean;
  /**
   * Bind with SO_REUSEPORT (Linux): every worker of a multi-worker instance binds the port itself
   * and the kernel spreads new connections over them. Default false.
   */
  readonly reusePort?: boolean;
}

/**
 * What the admin API reads and changes on a running balancer. Every change goes through
 * {@link execute} as a {@link ControlCommand}; canaries are steered through their controllers.
 */
export interface BalancerControl {
  /** The upstream views new requests use now. */
  upstreams(): ReadonlyMap<string, Upstream>;
  /** Applies one command, all of it or nothing; throws a `TracewayError` and then changed nothing. */
  execute(command: ControlCommand): void;
  readonly canaries: CanaryManager;
  /** Health, ejection, membership, reload and canary events as they happen. */
  readonly feed: BalancerFeed;
  /** The discovery provider feeding `upstream` (`static`, `etcd`). */
  discoveryOf(upstream: string): string;
  readonly clock: Clock;
  readonly now: () => number;
  /**
   * A backend's traffic when this process does not serve it itself (a multi-worker primary: what
   * its workers measured, added up); absent or `undefined`: the backend's own.
   */
  loadOf?(upstream: string, backendId: string): BackendLoadView | undefined;
}

/** What the admin API shows of a backend's traffic. */
export interface BackendLoadView {
  readonly inFlight: number;
  /** The last `RECENT_SECONDS` whole seconds (the admin API's rps and p99). */
  readonly recent: LatencySummary;
  /** The last 59 whole seconds and the current one. */
  readonly lastMinute: LatencySummary;
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
  /** The canary side's pool of each upstream that has a canary. */
  readonly canaryPools: ReadonlyMap<string, UpstreamPool>;
  /** The admin API's view of the running balancer. */
  readonly control: BalancerControl;
  /**
   * Apply a new, already validated config: new requests use it, in-flight ones finish on the old
   * one. Connection pools whose settings changed are rebuilt.
   * @throws ConfigError naming each key that needs a restart (`server.listen`, `server.transport`);
   * the running config then stays in force.
   */
  reload(config: TracewayConfig): void;
  /** Connection queues of upstreams with `maxConnsPerBackend`, by upstream name (current config). */
  queues(): ReadonlyMap<string, { readonly length: number }>;
  /**
   * Sends an in-process request (a Kafka bridge message) through the named upstream with
   * everything a client request gets: balancing, health, queueing, backend retries, telemetry.
   * Counted as active traffic, so a graceful stop waits for it. Never rejects: an unknown
   * upstream or a stopping balancer is an `error` in the result.
   */
  dispatch(upstream: string, request: DispatchRequest, signal?: AbortSignal): Promise<DispatchResult>;
  /** Requests (and dispatches) currently being served. */
  activeRequests(): number;
  /** Sockets held open towards backends (busy and idle). */
  upstreamSocketCount(): number;
  /** Graceful stop: refuse new work, drain in-flight requests until the shutdown deadline, free sockets. */
  close(): Promise<void>;
}

/** Starts the balancer described by `config` and resolves once it listens. */
export async function startBalancer(options: BalancerOptions): Promise<RunningBalancer> {
  const logger = options.logger ?? pino({ level: options.config.logging.level });
  const parts = createParts(options, logger);
  const traffic = new Traffic(parts.generation(options.config), logger);
  const middleware = options.middleware ?? [];
  const app = expressApp(middleware, traffic);
  // Without middleware, requests skip Express entirely and go straight to the proxy.
  const server = createServer(serverOptions(options.config), middleware.length > 0 ? app : traffic.handle);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on("clientError", clientErrorHandler(parts.observer));
  server.on("upgrade", traffic.upgrade);
  const url = await listen(server, options.config.server.host, options.config.server.port, options.reusePort);

  let closing: Promise<void> | undefined;
  return {
    url,
    port: (server.address() as AddressInfo).port,
    server,
    app,
    get pools() {
      return parts.registry.pools;
    },
    get canaryPools() {
      return parts.registry.canaryPools;
    },
    control: parts.control,
    reload(config: TracewayConfig): void {
      const previous = traffic.generation.config;
      const refused = restartNeeded(BALANCER_RESTART_KEYS, previous, config);
      if (refused.length > 0) throw new ConfigError("reload", refused);
      traffic.generation = parts.generation(config);
      Object.assign(server, timeoutsOf(config));
      parts.freeConnections();
      parts.refreshPools(upstreamsWithNewPoolSettings(previous, config));
      const upstreams = [...config.upstreams.keys()];
      logger.info({ upstreams }, "configuration reloaded");
      parts.control.feed.publish({ type: "reload", outcome: "applied", upstreams, problems: [] });
    },
    queues(): ReadonlyMap<string, { readonly length: number }> {
      const queues = new Map<string, { readonly length: number }>();
      for (const [name, upstream] of traffic.generation.upstreams)
        if (upstream.queue) queues.set(name, upstream.queue);
      return queues;
    },
    dispatch: (name, request, signal) => dispatchThrough(traffic, name, request, signal),
    activeRequests: () => traffic.active,
    upstreamSocketCount: () =>
      parts.agents.socketCount() +
      parts.transport.connectionCount() +
      (parts.dispatchTransport === parts.transport ? 0 : parts.dispatchTransport.connectionCount()),
    close: () => (closing ??= shutDown(server, traffic, parts)),
  };
}

/** Longer than the 60 s idle timeout of common load balancers in front (AWS ALB), so they close first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Node's own whole-request timeout; never below headersTimeout, which Node requires. */
const REQUEST_TIMEOUT_MS = 300_000;

function serverOptions(config: TracewayConfig): ServerOptions {
  const { headersTimeout } = timeoutsOf(config);
  return {
    // Host checks are traceway's (server/request-checks.ts), so a missing Host gets the JSON answer.
    requireHostHeader: false,
    ...timeoutsOf(config),
    // Node looks for expired headers every 30 s by default, which would let a slow client hold
    // its socket up to 30 s past the timeout: look ten times per timeout, at most once a second.
    connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(headersTimeout / 10))),
  };
}

/** The server's client timeouts, set at start and by every reload. */
function timeoutsOf(config: TracewayConfig): { headersTimeout: number; requestTimeout: number } {
  const headersTimeout = config.server.headersTimeoutMs;
  return { headersTimeout, requestTimeout: Math.max(REQUEST_TIMEOUT_MS, headersTimeout) };
}

/** What lives as long as the balancer, across reloads. */
interface Parts {
  readonly registry: UpstreamRegistry;
  readonly canaries: CanaryManager;
  readonly control: BalancerControl;
  /** Keep-alive agents of WebSocket tunnels (the transport has its own). */
  readonly agents: BackendAgents;
  /** Fixed at start-up: changing `server.transport` needs a restart. */
  readonly transport: Transport;
  /** Telemetry (and diagnostics) for every request, routed or not. */
  readonly observer: ProxyObserver;
  /** What dispatches go through: undici, the configured transport when it is undici. */
  readonly dispatchTransport: Transport;
  /** Everything one config serves with. */
  generation(config: TracewayConfig): Generation;
  /** Let go of connections to backends no pool holds any longer. */
  freeConnections(): void;
  /** Rebuild the connection pools of these upstreams' backends (their settings changed). */
  refreshPools(upstreams: readonly string[]): void;
}

function createParts(options: BalancerOptions, logger: Logger): Parts {
  const clock = options.clock ?? systemClock;
  const now = options.now ?? Date.now;
  const agents = new BackendAgents();
  const transport = createTransport(options.config.server.transport, new BackendAgents());
  // http-proxy relays through a client's request and response, which a dispatch does not have.
  const dispatchTransport =
    options.config.server.transport === "undici" ? transport : createUndiciTransport();
  const observer = withDiagnostics(options.observer ?? noopObserver);
  const feed = new BalancerFeed(now);
  const events = fannedOutEvents(
    {
      health: options.healthEvents ?? loggingHealthEvents(logger),
      discovery: options.discoveryEvents ?? loggingDiscoveryEvents(logger),
      canary: options.canaryEvents ?? loggingCanaryEvents(logger),
    },
    feed,
    clock,
    now,
  );
  const freeConnections = (): void => {
    const ids = registry.backendIds();
    agents.retain(ids);
    transport.retain(ids);
    if (dispatchTransport !== transport) dispatchTransport.retain(ids);
  };
  const random = options.random ?? systemRandom;
  const providerDeps = {
    logger,
    clock,
    random,
    ...(options.discoveryObserver ? { observer: options.discoveryObserver } : {}),
  };
  const registry: UpstreamRegistry = new UpstreamRegistry({
    clock,
    random,
    events,
    // Discovery removes backends between reloads too: their sockets go when the pools let go.
    onBackendsRemoved: freeConnections,
    onMembers: (change) => feed.publish({ type: "members", ...change }),
    createProvider: options.discovery ?? ((upstream) => createProvider(upstream, providerDeps)),
    ...(options.activeHealthChecks === false ? { activeChecks: false } : {}),
  });
  const execute = (command: ControlCommand): void => executeCommand(registry.upstreams, command);
  const canaries = new CanaryManager({
    clock,
    now,
    scheduler: options.scheduler ?? systemScheduler,
    events,
    execute,
    upstreams: () => registry.upstreams,
  });
  const control: BalancerControl = {
    upstreams: () => registry.upstreams,
    execute,
    canaries,
    feed,
    discoveryOf: (upstream) => registry.providerName(upstream) ?? "static",
    clock,
    now,
  };
  return {
    registry,
    canaries,
    control,
    agents,
    transport,
    observer,
    dispatchTransport,
    freeConnections,
    refreshPools(upstreams: readonly string[]): void {
      const ids = new Set<string>();
      // The canary side's backends take the upstream's connection settings too.
      for (const pools of [registry.pools, registry.canaryPools])
        for (const name of upstreams) for (const b of pools.get(name)?.backends ?? []) ids.add(b.id);
      if (ids.size === 0) return;
      agents.refresh(ids);
      transport.refresh(ids);
      if (dispatchTransport !== transport) dispatchTransport.refresh(ids);
    },
    generation(config: TracewayConfig): Generation {
      const trusted = new TrustedProxies(config.server.trustedProxies);
      const { forwarded } = config.server;
      const upstreams = registry.apply(config.upstreams);
      canaries.apply(config.upstreams);
      return {
        config,
        router: new Router(config.routes),
        upstreams,
        forwarder: new HttpForwarder({ trusted, forwarded, observer, logger, clock, transport }),
        dispatcher: new UpstreamDispatcher({ logger, clock, transport: dispatchTransport }, observer),
        websockets: new WebSocketProxy({ agents, trusted, forwarded, logger, observer }),
      };
    },
  };
}

/** The user's middleware, then the proxy. */
function expressApp(middleware: readonly RequestHandler[], traffic: Traffic): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  // Refused requests never reach the user's middleware either.
  app.use((req, res, next) => {
    if (traffic.admit(req, res)) next();
  });
  for (const mw of middleware) app.use(mw);
  app.use((req, res) => traffic.route(req, res));
  return app;
}

/** Listens and returns the URL clients reach it on (loopback for a wildcard address). */
async function listen(server: Server, host: string, port: number, reusePort = false): Promise<string> {
  // `exclusive`: in a cluster worker, bind here rather than through the primary's shared handle.
  const shared = reusePort ? { reusePort: true, exclusive: true } : {};
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host, ...shared }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${urlHost === "0.0.0.0" ? "127.0.0.1" : urlHost}:${address.port}`;
}

/** Graceful stop: refuse new work, drain until the shutdown deadline, then free everything. */
async function shutDown(server: Server, traffic: Traffic, parts: Parts): Promise<void> {
  const { generation } = traffic;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const drained = traffic.drain(generation.config.server.shutdownTimeoutMs);
  server.closeIdleConnections();
  await drained;
  server.closeAllConnections();
  await parts.canaries.stop();
  await parts.registry.stop();
  generation.websockets.close();
  parts.transport.close();
  if (parts.dispatchTransport !== parts.transport) parts.dispatchTransport.close();
  parts.agents.destroyAll();
  await closed;
}

async function dispatchThrough(
  traffic: Traffic,
  name: string,
  request: DispatchRequest,
  signal: AbortSignal | undefined,
): Promise<DispatchResult> {
  const gen = traffic.generation;
  const upstream = gen.upstreams.get(name);
  if (upstream === undefined || traffic.draining) {
    const error = traffic.draining
      ? new TracewayError("SHUTTING_DOWN", "shutting down")
      : new TracewayError("NO_ROUTE", `upstream "${name}" is not configured`);
    return { status: undefined, headers: {}, body: Buffer.alloc(0), error, backend: undefined, retries: 0 };
  }
  traffic.enter();
  try {
    return await gen.dispatcher.dispatch(upstream, request, signal);
  } finally {
    traffic.leave();
  }
}
