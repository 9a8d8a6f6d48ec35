import type { Context } from "@opentelemetry/api";
import { ClientCall, reportFailure } from "../../interceptors/balancer-entry.ts";
import type { AttemptInfo, AttemptObservation } from "../proxy/observer.ts";
import type { ObserverDeps } from "./proxy-observer.ts";

/** What an attempt reports when its telemetry could not start: nothing, so the request goes on. */
export const NOOP_ATTEMPT: AttemptObservation = { end: () => {} };
/** traceway speaks HTTP/1.1 to every backend, whatever the client spoke. */
const UPSTREAM_PROTOCOL_VERSION = "1.1";

/**
 * One upstream attempt: its retry count, and a CLIENT span and duration below `parent` that its
 * `end({statusCode, errorType})` closes. The proxy's requests and the Kafka bridge's dispatches
 * attempt backends alike; `what` names the caller in a failure report.
 */
export function startAttempt(
  deps: ObserverDeps,
  info: AttemptInfo,
  parent: Context,
  what: string,
): AttemptObservation {
  try {
    const { metrics, labels, http } = deps;
    const backend = labels.of(info.upstream, info.backend);
    if (info.resendCount > 0) metrics.retries.add(1, backend.attributes);
    return new ClientCall(
      http,
      {
        method: info.method,
        url: info.url,
        headers: info.headers,
        serverAddress: backend.address,
        serverPort: backend.port,
        resendCount: info.resendCount,
        upstream: info.upstream,
        backend: info.backend.label,
        parentContext: parent,
        protocolVersion: UPSTREAM_PROTOCOL_VERSION,
      },
      backend,
    );
  } catch (err) {
    reportFailure(what, err);
    return NOOP_ATTEMPT;
  }
}
