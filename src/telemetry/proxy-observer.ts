import { context, ROOT_CONTEXT } from "@opentelemetry/api";
import type { Attributes, Context } from "@opentelemetry/api";
import { ClientCall } from "../../interceptors/balancer-entry.ts";
import type { HttpTelemetry } from "../../interceptors/balancer-entry.ts";
import { ServerCall } from "../../interceptors/balancer-entry.ts";
import { reportFailure } from "../../interceptors/balancer-entry.ts";
import { ATTR_TRACEWAY_ERROR_CODE } from "../../interceptors/balancer-entry.ts";
import { ErrorCodes } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type {
  AttemptInfo,
  AttemptObservation,
  ProxyObserver,
  RequestInfo,
  RequestObservation,
  RequestResult,
} from "../proxy/observer.ts";
import type { AccessLog } from "./access-log.ts";
import type { BackendLabelCache } from "./backend-attributes.ts";
import type { BalancerMetrics } from "./balancer-metrics.ts";
import { withRequestMark } from "./request-context.ts";

export interface ObserverDeps {
  /**
   * The HTTP interceptors' instruments. The observer drives their server and client calls
   * directly (not through the public interceptor objects) to save an options object per call.
   */
  readonly http: HttpTelemetry;
  readonly metrics: BalancerMetrics;
  readonly labels: BackendLabelCache;
  /** Absent when `logging.accessLog` is false. */
  readonly accessLog: AccessLog | undefined;
}

const NOOP_ATTEMPT: AttemptObservation = { end: () => {} };
const NOOP_REQUEST: RequestObservation = { onAttempt: () => NOOP_ATTEMPT, end: () => {} };
const NO_HEALTHY_BACKEND = ErrorCodes.NO_HEALTHY_BACKEND.code;

/**
 * The balancer's telemetry: a SERVER span per client request (continuing the client's trace and
 * made the active context, so log lines carry its trace_id), a CLIENT span per upstream attempt
 * with trace context injected into the attempt's headers, the balancer metrics and the access log.
 *
 * Per-request code here guards with inline `try/catch` rather than `guard(() => ...)`: same
 * protection for traffic, without a closure per step.
 */
export class TelemetryProxyObserver implements ProxyObserver {
  readonly deps: ObserverDeps;

  constructor(deps: ObserverDeps) {
    this.deps = deps;
  }

  onRequest(info: RequestInfo): RequestObservation {
    try {
      return new RequestTelemetry(this.deps, info);
    } catch (err) {
      reportFailure("request start", err);
      return NOOP_REQUEST;
    }
  }
}

/** One client request. Also the `open` flag the log mixin checks (see request-context.ts). */
class RequestTelemetry implements RequestObservation {
  open = true;
  readonly #deps: ObserverDeps;
  readonly #info: RequestInfo;
  readonly #upstreamAttributes: Attributes;
  readonly #call: ServerCall;
  readonly #context: Context;

  constructor(deps: ObserverDeps, info: RequestInfo) {
    this.#deps = deps;
    this.#info = info;
    this.#upstreamAttributes = deps.labels.upstream(info.upstream);
    this.#call = new ServerCall(deps.http, info.req, info.route, this.#upstreamAttributes);
    this.#context = withRequestMark(this.#call.context, this);
  }

  run<T>(fn: () => T): T {
    return context.with(this.#context, fn);
  }

  outside<T>(fn: () => T): T {
    return context.with(ROOT_CONTEXT, fn);
  }

  onAttempt(info: AttemptInfo): AttemptObservation {
    try {
      const { metrics, labels, http } = this.#deps;
      const backend = labels.of(info.upstream, info.backend);
      if (info.resendCount > 0) metrics.retries.add(1, backend.attributes);
      // The client call's `end({statusCode, errorType})` is the attempt observation itself.
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
          parentContext: this.#context,
        },
        backend,
      );
    } catch (err) {
      reportFailure("attempt start", err);
      return NOOP_ATTEMPT;
    }
  }

  onQueued(backend: Backend, waitSeconds: number): void {
    try {
      this.#deps.metrics.queueWait.record(waitSeconds, this.#backendAttributes(backend));
    } catch (err) {
      reportFailure("queue wait", err);
    }
  }

  end(result: RequestResult): void {
    if (!this.open) return;
    this.open = false;
    const { metrics, accessLog } = this.#deps;
    const { errorCode } = result;
    if (errorCode !== undefined) {
      try {
        this.#call.span.setAttribute(ATTR_TRACEWAY_ERROR_CODE, errorCode);
      } catch (err) {
        reportFailure("error code", err);
      }
    }
    this.#call.end(
      errorCode === undefined
        ? { statusCode: result.statusCode }
        : { statusCode: result.statusCode, errorType: errorCode },
    );
    try {
      if (errorCode === NO_HEALTHY_BACKEND) metrics.refused.add(1, this.#upstreamAttributes);
      metrics.bodyBytes.add(
        result.backend ? this.#backendAttributes(result.backend) : this.#upstreamAttributes,
        result.bytesIn,
        result.bytesOut,
      );
    } catch (err) {
      reportFailure("request metrics", err);
    }
    if (accessLog !== undefined) {
      try {
        this.#writeAccessLog(accessLog, result);
      } catch (err) {
        reportFailure("access log", err);
      }
    }
  }

  #backendAttributes(backend: Backend): Attributes {
    return this.#deps.labels.of(this.#info.upstream, backend).attributes;
  }

  #writeAccessLog(accessLog: AccessLog, result: RequestResult): void {
    const spanContext = this.#call.span.spanContext();
    accessLog.write({
      method: this.#info.method,
      route: this.#info.route,
      upstream: this.#info.upstream,
      backend: result.backend?.label,
      status: result.statusCode,
      durationMs: this.#call.durationMs,
      retries: result.retries,
      errorCode: result.errorCode,
      bytesIn: result.bytesIn,
      bytesOut: result.bytesOut,
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
    });
  }
}
