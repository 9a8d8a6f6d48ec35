import { passiveOutcomeOf, type PassiveOutcome } from "../health/attempt-outcome.ts";
import type { Backend } from "../pool/backend.ts";
import {
  MUST_QUEUE,
  noHealthyBackend,
  pickNow,
  pickQueued,
  releaseSlot,
  takeSlot,
} from "./backend-selector.ts";
import type { ForwardedRequest } from "./forwarded-request.ts";
import type { AttemptError, AttemptRequest, UpstreamResponse } from "./transports/transport.ts";

const SUCCESS: PassiveOutcome = { kind: "success" };

/**
 * Sends the request to one backend after another until one answers with a response worth
 * relaying (nginx's proxy_next_upstream loop). The upstream's `RetryPolicy` makes every decision;
 * this loop carries them out. Resolves the response to relay (its backend's slot still taken), or
 * undefined with `x.error` set, or with the client gone.
 */
export async function runAttempts(x: ForwardedRequest): Promise<UpstreamResponse | undefined> {
  const { retry } = x.upstream;
  for (let attempt = 0; !x.clientGone && retry.mayStart(attempt, x); attempt++) {
    const backend = await nextBackend(x, attempt);
    if (backend === undefined) return undefined;
    const outcome = await attemptOn(x, backend, attempt);
    if (outcome.kind === "error") {
      if (!retriesAfterError(x, outcome, backend, attempt)) return undefined;
    } else if (!retriesAfterResponse(x, outcome, backend, attempt)) {
      return outcome;
    }
  }
  return undefined;
}

/** The backend for this attempt, queueing if every candidate is full; undefined ends the loop. */
async function nextBackend(x: ForwardedRequest, attempt: number): Promise<Backend | undefined> {
  let picked = pickNow(x.upstream, x, x.tried);
  if (picked === MUST_QUEUE) {
    const queuedAt = x.deps.clock.now();
    try {
      picked = await pickQueued(x.upstream, x, x.tried);
    } catch (error) {
      x.error = error as NonNullable<ForwardedRequest["error"]>;
      return undefined;
    }
    if (picked) x.obs.onQueued?.(picked, (x.deps.clock.now() - queuedAt) / 1000);
  }
  if (!picked) {
    // After a failed attempt, the error that attempt left is the better answer.
    if (attempt === 0) x.error = noHealthyBackend(x.upstream);
    return undefined;
  }
  (x.tried ??= []).push(picked);
  return picked;
}

/** Runs one attempt until its response head arrives or it fails. */
async function attemptOn(
  x: ForwardedRequest,
  backend: Backend,
  attempt: number,
): Promise<UpstreamResponse | AttemptError> {
  const { clock, transport } = x.deps;
  const { config } = x.upstream;
  const clientHost = x.req.headers.host;
  x.headers.host = x.route.preserveHost && clientHost ? clientHost : backend.url.host;
  const path = x.req.url ?? "/";
  x.attemptObs = x.obs.onAttempt({
    backend,
    upstream: x.upstream.name,
    method: x.method,
    url: backend.id + path,
    resendCount: attempt,
    headers: x.headers,
  });
  takeSlot(backend);
  const startedAt = clock.now();
  const request: AttemptRequest = {
    backend,
    keepAlive: config.keepAlive,
    method: x.method,
    path,
    headers: x.headers,
    body: x.body,
    bodyCounter: x.bodyCounter,
    connectMs: config.timeouts.connectMs,
    responseMs: config.timeouts.responseMs,
    idleMs: config.timeouts.idleMs,
  };
  // Started outside the request's context: see RequestObservation.outside.
  const running = x.obs.outside
    ? x.obs.outside(() => transport.start(request, x))
    : transport.start(request, x);
  x.running = running;
  const outcome = await running.done;
  x.attemptMs = clock.now() - startedAt;
  return outcome;
}

/** Feedback for a failed attempt; true when the policy sends the request elsewhere. */
function retriesAfterError(
  x: ForwardedRequest,
  failure: AttemptError,
  backend: Backend,
  attempt: number,
): boolean {
  const { upstream } = x;
  releaseSlot(upstream, backend);
  x.attemptObs?.end({ errorType: x.clientGone ? "aborted" : failure.errorType });
  if (x.clientGone) return false;
  upstream.strategy.observe?.(backend, { latencyMs: x.attemptMs, failed: true });
  upstream.passive.record(backend, passiveOutcomeOf(failure.errorType));
  const decision = upstream.retry.afterError(failure, backend, x.method);
  x.error = decision.error;
  if (decision.retry) {
    x.deps.logger.warn(
      { upstream: upstream.name, backend: backend.label, error: failure.errorType, attempt: attempt + 1 },
      "retrying on another backend after upstream error",
    );
  }
  return decision.retry;
}

/** Feedback for a response head; true when the policy drops it and tries another backend. */
function retriesAfterResponse(
  x: ForwardedRequest,
  response: UpstreamResponse,
  backend: Backend,
  attempt: number,
): boolean {
  const { upstream } = x;
  const { status } = response;
  const failed = status >= 500;
  upstream.strategy.observe?.(backend, { latencyMs: x.attemptMs, failed });
  upstream.passive.record(backend, failed ? { kind: "http_5xx", status } : SUCCESS);
  if (upstream.retry.retriesResponse(status, x)) {
    x.attemptObs?.end({ statusCode: status, errorType: String(status) });
    response.discard(() => releaseSlot(upstream, backend));
    x.deps.logger.warn(
      { upstream: upstream.name, backend: backend.label, status, attempt: attempt + 1 },
      "retrying on another backend after upstream status",
    );
    return true;
  }
  x.attemptObs?.end(failed ? { statusCode: status, errorType: String(status) } : { statusCode: status });
  return false;
}
