import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { RouteConfig } from "../config/types.ts";
import { TracewayError } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type { Clock } from "../shared/clock.ts";
import { sendError } from "./error-response.ts";
import type { UpstreamErrorType } from "../health/attempt-outcome.ts";
import { setForwardingHeaders } from "./forwarding-headers.ts";
import { hashKeyOf } from "./hash-key.ts";
import { withoutHopByHop } from "./hop-by-hop.ts";
import type { ProxyObserver, RequestObservation } from "./observer.ts";
import { isIdempotent } from "../upstream/retry-policy.ts";
import type { TrustedProxies } from "./trusted-proxies.ts";
import type { AttemptOutcome, AttemptRequest, Transport, UpstreamResponse } from "./upstream-attempt.ts";
import type { Upstream } from "../upstream/upstream.ts";

export interface ForwarderDeps {
  readonly trusted: TrustedProxies;
  readonly observer: ProxyObserver;
  readonly logger: Logger;
  readonly clock: Clock;
  /** How upstream requests are made (http-proxy or native). */
  readonly transport: Transport;
}

/** Seconds a 503 tells clients to wait: about one health-check round. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Sends one client request to an upstream: picks a backend, retries on another one when the
 * retry policy and the request allow it, and streams the chosen response back.
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
    const method = req.method ?? "GET";
    const obs = this.#deps.observer.onRequest({ req, method, route: routeLabel, upstream: upstream.name });
    return obs.run
      ? obs.run(() => this.#forward(req, res, route, upstream, obs, method))
      : this.#forward(req, res, route, upstream, obs, method);
  }

  async #forward(
    req: IncomingMessage,
    res: ServerResponse,
    route: RouteConfig,
    upstream: Upstream,
    obs: RequestObservation,
    method: string,
  ): Promise<void> {
    const { clock } = this.#deps;
    const clientHost = req.headers.host;
    const headers = withoutHopByHop(req.headers);
    const clientIp = setForwardingHeaders(req, headers, this.#deps.trusted);
    const pickRequest = { hashKey: hashKeyOf(upstream.config.hashKey, req, clientIp) };
    const body = hasBody(req) ? req : undefined;
    const startedAt = clock.now();
    const { retry, config } = upstream;

    let clientGone = false;
    let current: AttemptOutcome | undefined;
    let running: { abort(): void } | undefined;
    // One listener for the whole request: while attempts run, a close means the client left;
    // once the response streams, `relayClosed` takes over.
    let relayClosed: (() => void) | undefined;
    const onClose = (): void => {
      if (relayClosed !== undefined) {
        relayClosed();
        return;
      }
      if (res.writableFinished) return;
      clientGone = true;
      running?.abort();
    };
    res.once("close", onClose);

    let tried: Backend[] | undefined;
    let lastError: TracewayError | undefined;
    const bodyCounter = { bytes: 0 };

    for (let attempt = 0; attempt < retry.tries && !clientGone; attempt++) {
      if (attempt > 0 && retry.budgetSpent(clock.now() - startedAt)) break;

      let backend: Backend | undefined | typeof MUST_QUEUE = this.#pickNow(upstream, pickRequest, tried);
      if (backend === MUST_QUEUE) {
        try {
          backend = await this.#pickQueued(upstream, pickRequest, tried, obs);
        } catch (error) {
          lastError = error instanceof TracewayError ? error : new TracewayError("QUEUE_FULL", String(error));
          break;
        }
      }
      if (!backend) {
        if (attempt === 0) {
          lastError = new TracewayError(
            "NO_HEALTHY_BACKEND",
            `no healthy backend in upstream "${upstream.name}"`,
          );
        }
        break;
      }
      (tried ??= []).push(backend);

      headers.host = route.preserveHost && clientHost ? clientHost : backend.url.host;
      const path = req.url ?? "/";
      const attemptObs = obs.onAttempt({
        backend,
        upstream: upstream.name,
        method,
        url: backend.id + path,
        resendCount: attempt,
        headers,
      });
      backend.inFlight++;
      const attemptStart = clock.now();
      const attemptRequest: AttemptRequest = {
        backend,
        keepAlive: config.keepAlive,
        method,
        path,
        headers,
        body,
        bodyCounter,
        connectMs: config.timeouts.connectMs,
        responseMs: config.timeouts.responseMs,
        idleMs: config.timeouts.idleMs,
      };
      const { transport } = this.#deps;
      const client = { req, res };
      const attemptRun = obs.outside
        ? obs.outside(() => transport.start(attemptRequest, client))
        : transport.start(attemptRequest, client);
      running = attemptRun;
      current = await attemptRun.done;
      const latencyMs = clock.now() - attemptStart;

      if (current.kind === "error") {
        this.#releaseSlot(upstream, backend);
        const errorType = clientGone ? "aborted" : current.errorType;
        attemptObs.end({ errorType });
        if (clientGone) break;
        upstream.strategy.observe?.(backend, { latencyMs, failed: true });
        upstream.passive.record(backend, { kind: passiveKind(current.errorType) });
        lastError = errorFor(current.errorType, backend, current.error);
        const resendable = !current.bodyConsumed && (isIdempotent(method) || !current.sent);
        if (!resendable || !retry.retriesError(current.errorType)) break;
        this.#deps.logger.warn(
          { upstream: upstream.name, backend: backend.label, error: current.errorType, attempt: attempt + 1 },
          "retrying on another backend after upstream error",
        );
        continue;
      }

      const response = current;
      const { status } = response;
      const failedStatus = status >= 500;
      upstream.strategy.observe?.(backend, { latencyMs, failed: failedStatus });
      upstream.passive.record(backend, failedStatus ? { kind: "http_5xx", status } : { kind: "success" });
      if (
        retry.retriesStatus(status) &&
        attempt + 1 < retry.tries &&
        !(body?.readableDidRead ?? false) &&
        isIdempotent(method) &&
        this.#hasAnotherCandidate(upstream, tried) &&
        !retry.budgetSpent(clock.now() - startedAt)
      ) {
        attemptObs.end({ statusCode: status, errorType: String(status) });
        response.discard(() => this.#releaseSlot(upstream, backend));
        this.#deps.logger.warn(
          { upstream: upstream.name, backend: backend.label, status, attempt: attempt + 1 },
          "retrying on another backend after upstream status",
        );
        continue;
      }
      attemptObs.end(
        failedStatus ? { statusCode: status, errorType: String(status) } : { statusCode: status },
      );
      const stream = (): (() => void) =>
        this.#stream(response, res, upstream, backend, obs, attempt, bodyCounter);
      relayClosed = obs.outside ? obs.outside(stream) : stream();
      return;
    }

    res.off("close", onClose);
    if (body && !body.readableEnded) body.resume();
    const error = lastError ?? new TracewayError("UPSTREAM_CONNECT", `upstream "${upstream.name}" failed`);
    const attempts = tried?.length ?? 0;
    if (!clientGone)
      sendError(res, error, error.kind === "NO_HEALTHY_BACKEND" ? RETRY_AFTER_SECONDS : undefined);
    obs.end({
      statusCode: clientGone ? 499 : error.status,
      retries: Math.max(0, attempts - 1),
      errorCode: clientGone ? "TRACEWAY_ERR_CLIENT_CLOSED" : error.code,
      bytesIn: bodyCounter.bytes,
      bytesOut: 0,
    });
  }

  /**
   * Pick among healthy, untried backends with a free connection slot, without waiting: the
   * common case costs no promise. {@link MUST_QUEUE} when every candidate is at its limit.
   */
  #pickNow(
    upstream: Upstream,
    pickRequest: { hashKey: string },
    tried: Backend[] | undefined,
  ): Backend | undefined | typeof MUST_QUEUE {
    let candidates = upstream.pool.candidates();
    if (tried) candidates = candidates.filter((b) => !tried.includes(b));
    if (candidates.length === 0) return undefined;
    const max = upstream.config.maxConnsPerBackend;
    if (max > 0 && candidates.some((b) => b.inFlight >= max)) {
      // Filtered only when needed: strategies cache per candidate array (hash ring, WRR state).
      const free = candidates.filter((b) => b.inFlight < max);
      if (free.length === 0 && upstream.queue) return MUST_QUEUE;
      candidates = free;
    }
    return upstream.strategy.pick(candidates, pickRequest);
  }

  /** Waits in the upstream's connection queue until a slot frees, then picks. */
  async #pickQueued(
    upstream: Upstream,
    pickRequest: { hashKey: string },
    tried: Backend[] | undefined,
    obs: RequestObservation,
  ): Promise<Backend | undefined> {
    const queuedAt = this.#deps.clock.now();
    for (;;) {
      await upstream.queue?.wait();
      const picked = this.#pickNow(upstream, pickRequest, tried);
      if (picked === MUST_QUEUE) continue;
      if (picked) obs.onQueued?.(picked, (this.#deps.clock.now() - queuedAt) / 1000);
      return picked;
    }
  }

  #hasAnotherCandidate(upstream: Upstream, tried: Backend[]): boolean {
    for (const b of upstream.pool.candidates()) if (!tried.includes(b)) return true;
    return false;
  }

  #releaseSlot(upstream: Upstream, backend: Backend): void {
    backend.inFlight--;
    upstream.queue?.release();
  }

  /** Relays the chosen response; returns what the request's close listener must do from now on. */
  #stream(
    response: UpstreamResponse,
    res: ServerResponse,
    upstream: Upstream,
    backend: Backend,
    obs: RequestObservation,
    attempt: number,
    bodyCounter: { readonly bytes: number },
  ): () => void {
    const { status } = response;
    let finished = false;
    const finish = (clientStatus: number, errorCode?: string): void => {
      if (finished) return;
      finished = true;
      this.#releaseSlot(upstream, backend);
      const bytesIn = bodyCounter.bytes;
      const bytesOut = response.bodyBytes;
      obs.end(
        errorCode === undefined
          ? { statusCode: clientStatus, backend, retries: attempt, bytesIn, bytesOut }
          : { statusCode: clientStatus, backend, retries: attempt, bytesIn, bytesOut, errorCode },
      );
    };
    res.writeHead(status, response.statusMessage, withoutHopByHop(response.headers));
    response.relay(res, () => {
      // Upstream died mid-body: the status is already sent, so the client must see a cut.
      res.destroy();
      finish(status, "TRACEWAY_ERR_UPSTREAM_RESET");
    });
    return () => {
      if (!res.writableFinished) {
        response.cancel();
        finish(499, "TRACEWAY_ERR_CLIENT_CLOSED");
      } else {
        finish(status);
      }
    };
  }
}

/** {@link HttpForwarder} `#pickNow`: every candidate is at `maxConnsPerBackend`; wait in the queue. */
const MUST_QUEUE = Symbol("must queue");

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  if (length !== undefined) return length !== "0";
  return req.headers["transfer-encoding"] !== undefined;
}

function passiveKind(type: UpstreamErrorType): "connect_error" | "timeout" | "reset" {
  if (type === "timeout") return "timeout";
  if (type === "connect_error" || type === "dns_error") return "connect_error";
  return "reset";
}

function errorFor(type: UpstreamErrorType, backend: Backend, cause: Error): TracewayError {
  const where = `backend ${backend.label}`;
  switch (type) {
    case "timeout":
      return new TracewayError("UPSTREAM_TIMEOUT", `${where}: ${cause.message}`, { cause });
    case "connect_error":
      return new TracewayError("UPSTREAM_CONNECT", `${where}: connection failed`, { cause });
    case "dns_error":
      return new TracewayError("UPSTREAM_DNS", `${where}: name resolution failed`, { cause });
    case "bad_response":
      return new TracewayError("UPSTREAM_BAD_RESPONSE", `${where}: invalid HTTP response`, { cause });
    case "reset":
      return new TracewayError("UPSTREAM_RESET", `${where}: connection reset`, { cause });
  }
}
