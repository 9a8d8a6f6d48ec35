import type { UpstreamConfig } from "../config/types.ts";
import type { PassiveRecorder } from "../health/attempt-outcome.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { Strategy } from "../strategies/strategy.ts";
import type { CanarySplit, UpstreamSide } from "./canary-split.ts";
import type { ConnectionQueue } from "./connection-queue.ts";
import type { RetryPolicy } from "./retry-policy.ts";

/**
 * Everything the proxy needs to send a request to one upstream, assembled by the
 * {@link UpstreamRegistry}: the pool (fed by discovery), the strategy that picks from its
 * candidates, passive health, the retry policy and the connection queue. A reload makes a new
 * view around the same pool; requests already running keep the view they started with.
 *
 * The upstream is its own stable side ({@link UpstreamSide}). With a canary configured, `canary` is
 * the second side: a pool fed by the same snapshots through a metadata selector (or the canary's
 * own list), with its own strategy and passive health, and the share of new requests it gets;
 * the proxy chooses a side once per request (proxy/backend-selector.ts).
 */
export interface Upstream extends UpstreamSide {
  readonly name: string;
  readonly config: UpstreamConfig;
  readonly pool: UpstreamPool;
  readonly strategy: Strategy;
  readonly passive: PassiveRecorder;
  readonly retry: RetryPolicy;
  /** Present when `maxConnsPerBackend` > 0. */
  readonly queue: ConnectionQueue | undefined;
  /** Present when the upstream has a `canary`. */
  readonly canary?: CanarySplit;
}
