import { context, trace } from "@opentelemetry/api";
import type { Attributes, Context } from "@opentelemetry/api";
import { guard } from "../../interceptors/internal/guard.ts";
import { ATTR_TRACEWAY_ERROR_CODE } from "../../interceptors/semconv.ts";
import type {
  HttpClientInterceptor,
  HttpServerCall,
  HttpServerInterceptor,
} from "../../interceptors/http/index.ts";
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
import type { Clock } from "../shared/clock.ts";
import type { AccessLog } from "./access-log.ts";
import type { BackendLabelCache } from "./backend-attributes.ts";
import type { BalancerMetrics } from "./balancer-metrics.ts";
import { withRequestMark } from "./request-context.ts";

export interface ObserverDeps {
  readonly server: HttpServerInterceptor;
  readonly client: HttpClientInterceptor;
  readonly metrics: BalancerMetrics;
  readonly labels: BackendLabelCache;
  readonly clock: Clock;
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
 */
export class TelemetryProxyObserver implements ProxyObserver {
  readonly deps: ObserverDeps;

  constructor(deps: ObserverDeps) {
    this.deps = deps;
  }

  onRequest(info: RequestInfo): RequestObservation {
    return guard("request start", () => new RequestTelemetry(this.deps, info)) ?? NOOP_REQUEST;
  }
}

/** One client request. Also the `open` flag the log mixin checks (see request-context.ts). */
class RequestTelemetry implements RequestObservation {
  open = true;
  readonly #deps: ObserverDeps;
  readonly #info: RequestInfo;
  readonly #call: HttpServerCall;
  readonly #context: Context;
  readonly #startedAt: number;

  constructor(deps: ObserverDeps, info: RequestInfo) {
    this.#deps = deps;
    this.#info = info;
    this.#startedAt = deps.clock.now();
    this.#call = deps.server.start({
      req: info.req,
      route: info.route,
      attributes: deps.labels.upstream(info.upstream),
    });
    this.#context = withRequestMark(this.#call.context, this);
  }

  run<T>(fn: () => T): T {
    return context.with(this.#context, fn);
  }

  onAttempt(info: AttemptInfo): AttemptObservation {
    return guard("attempt start", () => this.#startAttempt(info)) ?? NOOP_ATTEMPT;
  }

  onQueued(backend: Backend, waitSeconds: number): void {
    guard("queue wait", () =>
      this.#deps.metrics.queueWait.record(waitSeconds, this.#backendAttributes(backend)),
    );
  }

  end(result: RequestResult): void {
    if (!this.open) return;
    this.open = false;
    const { metrics, labels } = this.#deps;
    const upstreamAttributes = labels.upstream(this.#info.upstream);
    const { errorCode } = result;
    if (errorCode !== undefined) {
      guard("error code", () =>
        trace.getSpan(this.#context)?.setAttribute(ATTR_TRACEWAY_ERROR_CODE, errorCode),
      );
    }
    this.#call.end(
      errorCode === undefined
        ? { statusCode: result.statusCode }
        : { statusCode: result.statusCode, errorType: errorCode },
    );
    guard("request metrics", () => {
      if (errorCode === NO_HEALTHY_BACKEND) metrics.refused.add(1, upstreamAttributes);
      const attributes = result.backend ? this.#backendAttributes(result.backend) : upstreamAttributes;
      if (result.bytesIn > 0) metrics.requestBytes.add(result.bytesIn, attributes);
      if (result.bytesOut > 0) metrics.responseBytes.add(result.bytesOut, attributes);
    });
    const accessLog = this.#deps.accessLog;
    if (accessLog !== undefined) guard("access log", () => this.#writeAccessLog(accessLog, result));
  }

  #startAttempt(info: AttemptInfo): AttemptObservation {
    const backend = this.#deps.labels.of(info.upstream, info.backend);
    if (info.resendCount > 0) this.#deps.metrics.retries.add(1, backend.attributes);
    // The client call's `end({statusCode, errorType})` is the attempt observation itself.
    return this.#deps.client.start({
      method: info.method,
      url: info.url,
      headers: info.headers,
      serverAddress: backend.address,
      serverPort: backend.port,
      resendCount: info.resendCount,
      upstream: info.upstream,
      backend: info.backend.label,
      parentContext: this.#context,
    });
  }

  #backendAttributes(backend: Backend): Attributes {
    return this.#deps.labels.of(this.#info.upstream, backend).attributes;
  }

  #writeAccessLog(accessLog: AccessLog, result: RequestResult): void {
    const spanContext = trace.getSpanContext(this.#context);
    accessLog.write({
      method: this.#info.method,
      route: this.#info.route,
      upstream: this.#info.upstream,
      backend: result.backend?.label,
      status: result.statusCode,
      durationMs: this.#deps.clock.now() - this.#startedAt,
      retries: result.retries,
      errorCode: result.errorCode,
      bytesIn: result.bytesIn,
      bytesOut: result.bytesOut,
      traceId: spanContext?.traceId ?? "",
      spanId: spanContext?.spanId ?? "",
    });
  }
}
