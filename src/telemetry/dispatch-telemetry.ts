import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import type { Attributes, Context } from "@opentelemetry/api";
import { reportFailure } from "../../interceptors/balancer-entry.ts";
import { ErrorCodes } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type {
  AttemptInfo,
  AttemptObservation,
  DispatchInfo,
  RequestObservation,
  RequestResult,
} from "../proxy/observer.ts";
import { startAttempt } from "./attempt-observation.ts";
import type { ObserverDeps } from "./proxy-observer.ts";

const NO_HEALTHY_BACKEND = ErrorCodes.NO_HEALTHY_BACKEND.code;
/** A dispatch that ended with no answer (abandoned at shutdown): nginx's 499, as for a client that left. */
const ABANDONED_STATUS = 499;

/**
 * One in-process dispatch (a Kafka bridge message's try). There is no client connection, so no
 * SERVER span and no `http.server.request.duration` point: the caller's span (the bridge's
 * `process` span) is the parent of each attempt's CLIENT span. Retries, refusals, body bytes and
 * the access log line are those of a client request, with the dispatch's route label.
 */
export class DispatchTelemetry implements RequestObservation {
  readonly #deps: ObserverDeps;
  readonly #info: DispatchInfo;
  readonly #parent: Context;
  readonly #startedAt: number;
  readonly #upstreamAttributes: Attributes;
  #open = true;

  constructor(deps: ObserverDeps, info: DispatchInfo) {
    this.#deps = deps;
    this.#info = info;
    this.#parent = context.active();
    this.#startedAt = deps.http.clock.now();
    this.#upstreamAttributes = deps.labels.upstream(info.upstream);
  }

  outside<T>(fn: () => T): T {
    return context.with(ROOT_CONTEXT, fn);
  }

  onAttempt(info: AttemptInfo): AttemptObservation {
    return startAttempt(this.#deps, info, this.#parent, "dispatch attempt start");
  }

  onQueued(backend: Backend, waitSeconds: number): void {
    try {
      this.#deps.metrics.queueWait.record(waitSeconds, this.#backendAttributes(backend));
    } catch (err) {
      reportFailure("dispatch queue wait", err);
    }
  }

  end(result: RequestResult): void {
    if (!this.#open) return;
    this.#open = false;
    const { metrics, accessLog } = this.#deps;
    try {
      if (result.errorCode === NO_HEALTHY_BACKEND) metrics.refused.add(1, this.#upstreamAttributes);
      metrics.bodyBytes.add(
        result.backend ? this.#backendAttributes(result.backend) : this.#upstreamAttributes,
        result.bytesIn,
        result.bytesOut,
      );
    } catch (err) {
      reportFailure("dispatch metrics", err);
    }
    if (accessLog === undefined) return;
    try {
      const spanContext = trace.getSpanContext(this.#parent);
      accessLog.write({
        method: this.#info.method,
        route: this.#info.route,
        upstream: this.#info.upstream,
        backend: result.backend?.label,
        status: result.statusCode ?? ABANDONED_STATUS,
        durationMs: this.#deps.http.clock.now() - this.#startedAt,
        retries: result.retries,
        errorCode: result.errorCode,
        bytesIn: result.bytesIn,
        bytesOut: result.bytesOut,
        traceId: spanContext?.traceId ?? "",
        spanId: spanContext?.spanId ?? "",
        traceFlags: spanContext?.traceFlags ?? 0,
      });
    } catch (err) {
      reportFailure("dispatch access log", err);
    }
  }

  #backendAttributes(backend: Backend): Attributes {
    return this.#deps.labels.of(this.#info.upstream, backend).attributes;
  }
}
