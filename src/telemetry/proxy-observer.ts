import { context, ROOT_CONTEXT } from "@opentelemetry/api";
import type { Attributes, Context } from "@opentelemetry/api";
import type { HttpTelemetry } from "../../interceptors/balancer-entry.ts";
import { ServerCall } from "../../interceptors/balancer-entry.ts";
import { reportFailure } from "../../interceptors/balancer-entry.ts";
import { ATTR_TRACEWAY_ERROR_CODE } from "../../interceptors/balancer-entry.ts";
import { ErrorCodes } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type {
  AttemptInfo,
  AttemptObservation,
  DispatchInfo,
  ProxyObserver,
  RejectedRequestInfo,
  RequestInfo,
  RequestObservation,
  RequestResult,
} from "../proxy/observer.ts";
import type { AccessLog } from "./access-log.ts";
import type { BackendLabelCache } from "./backend-attributes.ts";
import type { BalancerMetrics } from "./balancer-metrics.ts";
import { NOOP_ATTEMPT, startAttempt } from "./attempt-observation.ts";
import { DispatchTelemetry } from "./dispatch-telemetry.ts";
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

const NOOP_REQUEST: RequestObservation = { onAttempt: () => NOOP_ATTEMPT, end: () => {} };
const NO_HEALTHY_BACKEND = ErrorCodes.NO_HEALTHY_BACKEND.code;
/** What the balancer's upstream transports speak (`network.protocol.version` of CLIENT spans). */

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

  onDispatch(info: DispatchInfo): RequestObservation {
    try {
      return new DispatchTelemetry(this.deps, info);
    } catch (err) {
      reportFailure("dispatch start", err);
      return NOOP_REQUEST;
    }
  }

  /** A parser rejection: a request with no method, path or route, counted like any other. */
  onRejected(info: RejectedRequestInfo): void {
    try {
      const req = { headers: NO_HEADERS, socket: info.socket };
      const call = new ServerCall(this.deps.http, req, undefined, undefined);
      if (call.span.isRecording()) call.span.setAttribute(ATTR_TRACEWAY_ERROR_CODE, info.errorCode);
      call.end({
        statusCode: info.statusCode,
        errorType: serverErrorType(info.statusCode, info.errorCode, false),
      });
      if (this.deps.accessLog !== undefined) {
        writeAccessLog(this.deps.accessLog, call, undefined, {
          statusCode: info.statusCode,
          retries: 0,
          errorCode: info.errorCode,
          bytesIn: 0,
          bytesOut: 0,
        });
      }
    } catch (err) {
      reportFailure("rejected request", err);
    }
  }
}

const NO_HEADERS = Object.freeze({});

/**
 * `error.type` of a request traceway ended with `errorCode`: set when the request failed from the
 * server's side (semconv: 5xx, or no status at all), or when a relayed response broke after its
 * head (`relayed`: a cut body is an error whatever the status). A 4xx traceway answered itself
 * (no route, a malformed request) is the client's error: `traceway.error.code` only.
 */
function serverErrorType(
  statusCode: number | undefined,
  errorCode: string | undefined,
  relayed: boolean,
): string | undefined {
  if (errorCode === undefined) return undefined;
  return statusCode === undefined || statusCode >= 500 || relayed ? errorCode : undefined;
}

/** One client request. Also the `open` flag the log mixin checks (see request-context.ts). */
class RequestTelemetry implements RequestObservation {
  open = true;
  readonly #deps: ObserverDeps;
  readonly #info: RequestInfo;
  readonly #call: ServerCall;
  readonly #context: Context;

  constructor(deps: ObserverDeps, info: RequestInfo) {
    this.#deps = deps;
    this.#info = info;
    const extra = deps.labels.route(info.upstream, info.routeHost);
    this.#call = new ServerCall(deps.http, info.req, info.route, extra, info);
    this.#context = withRequestMark(this.#call.context, this);
  }

  run<T>(fn: () => T): T {
    return context.with(this.#context, fn);
  }

  outside<T>(fn: () => T): T {
    return context.with(ROOT_CONTEXT, fn);
  }

  onAttempt(info: AttemptInfo): AttemptObservation {
    return startAttempt(this.#deps, info, this.#context, "attempt start");
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
    const { metrics, accessLog, labels } = this.#deps;
    const { errorCode, statusCode, backend } = result;
    if (errorCode !== undefined) {
      try {
        this.#call.span.setAttribute(ATTR_TRACEWAY_ERROR_CODE, errorCode);
      } catch (err) {
        reportFailure("error code", err);
      }
    }
    this.#call.end({ statusCode, errorType: serverErrorType(statusCode, errorCode, backend !== undefined) });
    const upstream = this.#info.upstream;
    if (upstream !== undefined) {
      try {
        const upstreamAttributes = labels.upstream(upstream);
        if (errorCode === NO_HEALTHY_BACKEND) metrics.refused.add(1, upstreamAttributes);
        metrics.bodyBytes.add(
          backend ? this.#backendAttributes(backend) : upstreamAttributes,
          result.bytesIn,
          result.bytesOut,
        );
      } catch (err) {
        reportFailure("request metrics", err);
      }
    }
    if (accessLog !== undefined) {
      try {
        writeAccessLog(accessLog, this.#call, this.#info, result);
      } catch (err) {
        reportFailure("access log", err);
      }
    }
  }

  #backendAttributes(backend: Backend): Attributes {
    return this.#deps.labels.of(this.#info.upstream ?? "", backend).attributes;
  }
}

/**
 * The access line of a request (`info` absent for a parser rejection). With no status sent (the
 * client left before the response head) the line says 499, as nginx logs it.
 */
function writeAccessLog(
  accessLog: AccessLog,
  call: ServerCall,
  info: RequestInfo | undefined,
  result: RequestResult,
): void {
  const spanContext = call.span.spanContext();
  accessLog.write({
    method: info?.method,
    route: info?.route,
    upstream: info?.upstream,
    backend: result.backend?.label,
    status: result.statusCode ?? CLIENT_CLOSED_STATUS,
    durationMs: call.durationMs,
    retries: result.retries,
    errorCode: result.errorCode,
    bytesIn: result.bytesIn,
    bytesOut: result.bytesOut,
    traceId: spanContext.traceId,
    spanId: spanContext.spanId,
    traceFlags: spanContext.traceFlags,
  });
}

/** nginx's status for "client closed request", in the access log only. */
const CLIENT_CLOSED_STATUS = 499;
