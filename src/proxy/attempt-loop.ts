import { passiveOutcomeOf, type PassiveOutcome } from "../health/attempt-outcome.ts";
import type { Backend } from "../pool/backend.ts";
import {
  MUST_QUEUE,
  noHealthyBackend,
  pickNow,
  pickQueued,
  releaseSlot,
  sideWithCandidates,
  takeSlot,
} from "./backend-selector.ts";
import type { AttemptContext } from "./attempt-context.ts";
import type {
  AttemptError,
  AttemptRequest,
  RunningAttempt,
  UpstreamResponse,
} from "./transports/transport.ts";

const SUCCESS: PassiveOutcome = { kind: "success" };

/**
 * Sends the request to one backend after another until one answers with a response worth
 * relaying (nginx's proxy_next_upstream loop). The upstream's `RetryPolicy` makes every decision;
 * this loop carries them out. Resolves the response to relay (its backend's slot still taken), or
 * undefined with `x.error` set, or with the client gone.
 */
export async function runAttempts(x: AttemptContext): Promise<UpstreamResponse | undefined> {
  const { retry } = x.upstream;
  const { clock } = x.deps;
  for (let attempt = 0; !x.clientGone && retry.mayStart(attempt, x); attempt++) {
    if (x.side !== x.upstream) x.side = sideWithCandidates(x.upstream, x.side, x.tried);
    // The common case picks without a promise; only a full upstream waits in its queue.
    let backend = pickNow(x.upstream, x.side, x, x.tried);
    if (backend === MUST_QUEUE) backend = await waitForSlot(x);
    if (backend === undefined) {
      // After a failed attempt, the error that attempt left is the better answer.
      if (attempt === 0 && x.error === undefined) x.error = noHealthyBackend(x.upstream);
      return undefined;
    }
    (x.tried ??= []).push(backend);
    const outcome = await startAttempt(x, backend, attempt).done;
    x.attemptMs = clock.now() - x.attemptStartedAt;
    if (outcome.kind === "error") {
      if (!retriesAfterError(x, outcome, backend, attempt)) return undefined;
    } else if (!retriesAfterResponse(x, outcome, backend, attempt)) {
      return outcome;
    }
  }
  return undefined;
}

/** Waits in the upstream's queue; a refusal (full, timed out) becomes the request's error. */
async function waitForSlot(x: AttemptContext): Promise<Backend | undefined> {
  const queuedAt = x.deps.clock.now();
  try {
    const picked = await pickQueued(x.upstream, x.side, x, x.tried);
    if (picked) x.obs.onQueued?.(picked, (x.deps.clock.now() - queuedAt) / 1000);
    return picked;
  } catch (error) {
    x.error = error as NonNullable<AttemptContext["error"]>;
    return undefined;
  }
}

/** Starts one attempt on `backend`: its observation, its slot, the transport call. */
function startAttempt(x: AttemptContext, backend: Backend, attempt: number): RunningAttempt {
  const { config } = x.upstream;
  x.headers.host = x.preservedHost ?? backend.url.host;
  const { path } = x;
  x.attemptObs = x.obs.onAttempt({
    backend,
    upstream: x.upstream.name,
    method: x.method,
    url: backend.id + path,
    resendCount: attempt,
    headers: x.headers,
  });
  takeSlot(backend);
  x.attemptStartedAt = x.deps.clock.now();
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
  const { transport } = x.deps;
  // Started outside the request's context: see RequestObservation.outside.
  const running = x.obs.outside
    ? x.obs.outside(() => transport.start(request, x.client))
    : transport.start(request, x.client);
  x.running = running;
  return running;
}

/** Feedback for a failed attempt; true when the policy sends the request elsewhere. */
function retriesAfterError(
  x: AttemptContext,
  failure: AttemptError,
  backend: Backend,
  attempt: number,
): boolean {
  const { upstream } = x;
  releaseSlot(upstream, backend);
  x.attemptObs?.end({ errorType: x.clientGone ? "aborted" : failure.errorType });
  if (x.clientGone) return false;
  backend.stats.record(x.deps.clock.now(), x.attemptMs, true);
  x.side.strategy.observe?.(backend, { latencyMs: x.attemptMs, failed: true });
  x.side.passive.record(backend, passiveOutcomeOf(failure.errorType));
  const decision = upstream.retry.afterError(failure, backend, x.method);
  x.error = decision.error;
  if (decision.retry) {
    x.deps.logger.warn(
      {
        upstream: upstream.name,
        backend: backend.label,
        error_type: failure.errorType,
        attempt: attempt + 1,
      },
      "retrying on another backend after upstream error",
    );
  }
  return decision.retry;
}

/** Feedback for a response head; true when the policy drops it and tries another backend. */
function retriesAfterResponse(
  x: AttemptContext,
  response: UpstreamResponse,
  backend: Backend,
  attempt: number,
): boolean {
  const { upstream } = x;
  const { status } = response;
  const failed = status >= 500;
  backend.stats.record(x.deps.clock.now(), x.attemptMs, failed);
  x.side.strategy.observe?.(backend, { latencyMs: x.attemptMs, failed });
  x.side.passive.record(backend, failed ? { kind: "http_5xx", status } : SUCCESS);
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
