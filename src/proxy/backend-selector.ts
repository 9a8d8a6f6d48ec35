import type { IncomingMessage } from "node:http";
import { TracewayError } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type { PickRequest } from "../strategies/strategy.ts";
import { TO_CANARY, type UpstreamSide } from "../upstream/canary-split.ts";
import type { Upstream } from "../upstream/upstream.ts";

/** {@link pickNow}: every candidate is at `maxConnsPerBackend` and the upstream queues: wait. */
export const MUST_QUEUE: unique symbol = Symbol("must queue");

/**
 * The side of the upstream a new request goes to: the upstream itself (stable), or its canary as
 * the split decides (its share, the stickiness cookie, the override header). Returns the split's
 * bits too, so the caller knows whether to set the stickiness cookie.
 */
export function chooseSide(
  upstream: Upstream,
  req: Pick<IncomingMessage, "headers">,
): { side: UpstreamSide; bits: number } {
  const split = upstream.canary;
  if (split === undefined) return { side: upstream, bits: 0 };
  const bits = split.choose(req);
  return { side: (bits & TO_CANARY) !== 0 ? split : upstream, bits };
}

/**
 * The side to pick from now: `side`, unless it is the canary and has no untried candidate left
 * (all canary backends down, none discovered yet, or all tried): then the stable side. A request
 * sent to the stable side never falls over to the canary.
 */
export function sideWithCandidates(
  upstream: Upstream,
  side: UpstreamSide,
  tried: readonly Backend[] | undefined,
): UpstreamSide {
  return side === upstream || hasUntried(side, tried) ? side : upstream;
}

/**
 * Picks among the side's candidates that this request has not tried and that have a free
 * connection slot, without waiting: the common case costs no promise. HTTP requests and WebSocket
 * upgrades both come through here, so `maxConnsPerBackend` bounds both.
 */
export function pickNow(
  upstream: Upstream,
  side: UpstreamSide,
  request: PickRequest,
  tried: readonly Backend[] | undefined,
): Backend | undefined | typeof MUST_QUEUE {
  let candidates = side.pool.candidates();
  if (tried) candidates = candidates.filter((b) => !tried.includes(b));
  if (candidates.length === 0) return undefined;
  const max = upstream.config.maxConnsPerBackend;
  if (max > 0 && candidates.some((b) => b.inFlight >= max)) {
    // Filtered only when needed: strategies cache per candidate array (hash ring, WRR state).
    const free = candidates.filter((b) => b.inFlight < max);
    if (free.length === 0 && upstream.queue) return MUST_QUEUE;
    candidates = free;
  }
  return side.strategy.pick(candidates, request);
}

/**
 * Waits in the upstream's connection queue until a slot frees, then picks. Rejects with a
 * `TracewayError` (`QUEUE_FULL`, `QUEUE_TIMEOUT`) when the queue refuses or times out.
 */
export async function pickQueued(
  upstream: Upstream,
  side: UpstreamSide,
  request: PickRequest,
  tried: readonly Backend[] | undefined,
): Promise<Backend | undefined> {
  for (;;) {
    try {
      await upstream.queue?.wait();
    } catch (error) {
      throw error instanceof TracewayError ? error : new TracewayError("QUEUE_FULL", String(error));
    }
    const picked = pickNow(upstream, side, request, tried);
    if (picked !== MUST_QUEUE) return picked;
  }
}

/** A candidate the request has not tried yet exists on `side` (a retried status needs somewhere to go). */
export function hasUntried(side: UpstreamSide, tried: readonly Backend[] | undefined): boolean {
  for (const b of side.pool.candidates()) if (!tried?.includes(b)) return true;
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
