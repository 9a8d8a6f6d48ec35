import type { BridgeRetryOn } from "../../config/kafka-types.ts";
import type { DispatchResult } from "../../proxy/upstream-dispatcher.ts";

/**
 * What a bridge does with a message after one dispatch:
 *
 * - `delivered`: a 2xx; done.
 * - `retry`: a failure `retry.on` lists (5xx, 429, a reset, a timeout); it counts as a try.
 * - `reject`: a status the service means (3xx, 4xx other than 429), or a failure `retry.on` does not
 *   list: straight to the dead-letter topic, retrying would not change the answer.
 * - `unavailable`: the upstream could not take it (no healthy backend, connection refused, queue
 *   full): the message is not at fault, so the try is not counted; the bridge pauses fetching
 *   and waits. `untilHealthy`: wait for a candidate backend rather than a backoff.
 * - `abandoned`: the balancer is stopping; the message stays uncommitted for the next run.
 */
export type DispatchOutcome =
  | { readonly kind: "delivered" }
  | { readonly kind: "retry"; readonly errorType: string }
  | { readonly kind: "reject"; readonly errorType: string }
  | { readonly kind: "unavailable"; readonly errorType: string; readonly untilHealthy: boolean }
  | { readonly kind: "abandoned" };

const DELIVERED: DispatchOutcome = { kind: "delivered" };
const ABANDONED: DispatchOutcome = { kind: "abandoned" };

export function classify(result: DispatchResult, on: readonly BridgeRetryOn[]): DispatchOutcome {
  const { status, error } = result;
  if (status !== undefined) {
    if (status >= 200 && status < 300) return DELIVERED;
    const errorType = String(status);
    if (status === 429) return retried(on.includes("http_429"), errorType);
    if (status >= 500) return retried(on.includes("http_5xx"), errorType);
    return { kind: "reject", errorType };
  }
  const errorType = error?.code ?? "TRACEWAY_ERR_UPSTREAM_CONNECT";
  switch (error?.kind) {
    case "SHUTTING_DOWN":
      return ABANDONED;
    case "NO_HEALTHY_BACKEND":
      return { kind: "unavailable", errorType, untilHealthy: true };
    // Never reached a backend's handler, or the upstream is full: nothing the message did.
    case "UPSTREAM_CONNECT":
    case "UPSTREAM_DNS":
    case "QUEUE_FULL":
    case "QUEUE_TIMEOUT":
    case "NO_ROUTE":
    case undefined:
      return { kind: "unavailable", errorType, untilHealthy: false };
    case "UPSTREAM_TIMEOUT":
      return retried(on.includes("timeout"), errorType);
    default:
      return retried(on.includes("error"), errorType);
  }
}

function retried(listed: boolean, errorType: string): DispatchOutcome {
  return listed ? { kind: "retry", errorType } : { kind: "reject", errorType };
}
