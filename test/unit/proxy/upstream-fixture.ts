import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import pino from "pino";
import type { UpstreamConfig } from "../../../src/config/types.ts";
import type { PassiveOutcome } from "../../../src/health/attempt-outcome.ts";
import { UpstreamPool } from "../../../src/pool/upstream-pool.ts";
import { ForwardedRequest } from "../../../src/proxy/forwarded-request.ts";
import { setForwardingHeaders } from "../../../src/proxy/forwarding-headers.ts";
import { withoutHopByHop } from "../../../src/proxy/hop-by-hop.ts";
import { noopObserver } from "../../../src/proxy/observer.ts";
import type {
  AttemptError,
  AttemptOutcome,
  AttemptRequest,
  RunningAttempt,
  Transport,
  UpstreamResponse,
} from "../../../src/proxy/transports/transport.ts";
import { TrustedProxies } from "../../../src/proxy/trusted-proxies.ts";
import { ManualClock } from "../../../src/shared/clock.ts";
import { createStrategy } from "../../../src/strategies/registry.ts";
import { ConnectionQueue } from "../../../src/upstream/connection-queue.ts";
import { RetryPolicy } from "../../../src/upstream/retry-policy.ts";
import type { Upstream } from "../../../src/upstream/upstream.ts";
import { testUpstream } from "../../helpers/test-config.ts";

export const backendUrls = ["http://127.0.0.1:7001", "http://127.0.0.1:7002", "http://127.0.0.1:7003"];

/** A real upstream (pool, round_robin, retry policy, queue) whose passive outcomes are recorded. */
export function testUpstreamView(
  overrides: Partial<UpstreamConfig> = {},
  urls: readonly string[] = backendUrls,
): Upstream & { readonly passiveSeen: string[]; readonly clock: ManualClock } {
  const clock = new ManualClock(0);
  const config = testUpstream("api", urls, overrides);
  const passiveSeen: string[] = [];
  return {
    name: "api",
    config,
    pool: new UpstreamPool("api", config.backends, { clock, slowStartMs: 0, panicMode: false }),
    strategy: createStrategy("round_robin", { clock, random: Math.random }),
    passive: {
      record: (backend, outcome: PassiveOutcome) =>
        passiveSeen.push(
          `${backend.label} ${outcome.kind}${"status" in outcome ? ` ${outcome.status}` : ""}`,
        ),
    },
    retry: new RetryPolicy(config.retry),
    queue:
      config.maxConnsPerBackend > 0
        ? new ConnectionQueue(config.queue.size, config.queue.timeoutMs)
        : undefined,
    passiveSeen,
    clock,
  };
}

/** An incoming request as Node's server builds it, without a network. */
export function incoming(method: string, url: string, headers: Record<string, string> = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = url;
  req.headers = { host: "lb.test", ...headers };
  return req;
}

/** One scripted step: what the transport answers the attempt it is given. */
export type Step = (a: AttemptRequest) => AttemptOutcome;

export const fail =
  (errorType: AttemptError["errorType"], sent = false): Step =>
  () => ({ kind: "error", errorType, error: new Error(errorType), sent, bodyConsumed: false });

export const respond =
  (status: number, seen?: { discarded: number }): Step =>
  () => {
    const response: UpstreamResponse = {
      kind: "response",
      status,
      statusMessage: undefined,
      headers: {},
      bodyBytes: 0,
      relay: () => {},
      discard: (onFreed) => {
        if (seen) seen.discarded++;
        onFreed();
      },
      cancel: () => {},
    };
    return response;
  };

/** A transport that answers from a script and records which backend each attempt went to. */
export class ScriptedTransport implements Transport {
  readonly attempts: string[] = [];
  readonly #steps: Step[];
  readonly #onStart: ((a: AttemptRequest) => void) | undefined;

  constructor(steps: Step[], onStart?: (a: AttemptRequest) => void) {
    this.#steps = steps;
    this.#onStart = onStart;
  }

  start(a: AttemptRequest): RunningAttempt {
    this.attempts.push(a.backend.label);
    this.#onStart?.(a);
    const step = this.#steps.shift();
    if (!step) throw new Error(`unscripted attempt to ${a.backend.label}`);
    return { done: Promise.resolve(step(a)), abort: () => {} };
  }

  connectionCount = (): number => 0;
  retain = (): void => {};
  refresh = (): void => {};
  close = (): void => {};
}

/** The forwarder's per-request state for `req`, as the forwarder builds it. */
export function forwarded(
  upstream: Upstream & { readonly clock: ManualClock },
  transport: Transport,
  req: IncomingMessage = incoming("GET", "/orders"),
): ForwardedRequest {
  const deps = {
    trusted: new TrustedProxies([]),
    observer: noopObserver,
    logger: pino({ level: "silent" }),
    clock: upstream.clock,
    transport,
  };
  const route = { match: { pathPrefix: "/" }, upstream: "api", preserveHost: true };
  const headers = withoutHopByHop(req.headers);
  const clientIp = setForwardingHeaders(req, headers, deps.trusted);
  return new ForwardedRequest(
    deps,
    req,
    new ServerResponse(req),
    route,
    upstream,
    noopObserver.onRequest({
      req,
      method: req.method ?? "GET",
      route: "/*",
      upstream: "api",
    }),
    headers,
    clientIp,
  );
}
