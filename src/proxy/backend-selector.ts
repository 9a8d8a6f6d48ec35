import { TracewayError } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type { PickRequest } from "../strategies/strategy.ts";
import type { Upstream } from "../upstream/upstream.ts";

/** {@link pickNow}: every candidate is at `maxConnsPerBackend` and the upstream queues: wait. */
export const MUST_QUEUE: unique symbol = Symbol("must queue");

/**
 * Picks among the pool's candidates that this request has not tried and that have a free
 * connection slot, without waiting: the common case costs no promise. HTTP requests and WebSocket
 * upgrades both come through here, so `maxConnsPerBackend` bounds both.
 */
export function pickNow(
  upstream: Upstream,
  request: PickRequest,
  tried: readonly Backend[] | undefined,
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
  return upstream.strategy.pick(candidates, request);
}

/**
 * Waits in the upstream's connection queue until a slot frees, then picks. Rejects with a
 * `TracewayError` (`QUEUE_FULL`, `QUEUE_TIMEOUT`) when the queue refuses or times out.
 */
export async function pickQueued(
  upstream: Upstream,
  request: PickRequest,
  tried: readonly Backend[] | undefined,
): Promise<Backend | undefined> {
  for (;;) {
    try {
      await upstream.queue?.wait();
    } catch (error) {
      throw error instanceof TracewayError ? error : new TracewayError("QUEUE_FULL", String(error));
    }
    const picked = pickNow(upstream, request, tried);
    if (picked !== MUST_QUEUE) return picked;
  }
}

/** A candidate the request has not tried yet exists (a retried status needs somewhere to go). */
export function hasUntried(upstream: Upstream, tried: readonly Backend[] | undefined): boolean {
  for (const b of upstream.pool.candidates()) if (!tried?.includes(b)) return true;
  return false;
}

/** The backend takes one more request or tunnel (strategies and `maxConnsPerBackend` see it). */
export function takeSlot(backend: Backend): void {
  backend.inFlight++;
}

/** A request or tunnel to `backend` ended: its slot goes to the oldest waiter, if any. */
export function releaseSlot(upstream: Upstream, backend: Backend): void {
  backend.inFlight--;
  upstream.queue?.release();
}

/** The error for an upstream with no candidate at all (every backend down, or none discovered). */
export function noHealthyBackend(upstream: Upstream): TracewayError {
  if (upstream.pool.backends.length === 0) {
    // Same code (clients and dashboards match on it), but say why: discovery found none yet.
    return new TracewayError(
      "NO_HEALTHY_BACKEND",
      `no backend in upstream "${upstream.name}": none registered, or discovery has not answered yet`,
    );
  }
  return new TracewayError("NO_HEALTHY_BACKEND", `no healthy backend in upstream "${upstream.name}"`);
}
