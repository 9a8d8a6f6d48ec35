import type { KafkaConfig } from "./kafka-types.ts";
import type { WorkerCount } from "./worker-count.ts";

/**
 * The validated, normalised configuration the rest of traceway consumes. Durations are in
 * milliseconds, every default is filled in. The file format (YAML/JSON, `5s` durations,
 * `${ENV}` interpolation) is parsed into this by `config/load.ts`.
 */

export type StrategyName =
  | "round_robin"
  | "weighted_round_robin"
  | "least_conn"
  | "ip_hash"
  | "ip_hash_nginx"
  | "consistent_hash"
  | "random"
  | "p2c"
  | "ewma";

/** Where a hash strategy takes its key from. */
export type HashKeySource =
  | { readonly kind: "ip" }
  | { readonly kind: "path" }
  | { readonly kind: "header"; readonly name: string }
  | { readonly kind: "cookie"; readonly name: string };

export type RetryOn = "error" | "timeout" | "http_500" | "http_502" | "http_503" | "http_504" | "http_429";

/** Who declared a backend: the config file, an etcd registration, or the admin API. */
export type BackendSource = "config" | "etcd" | "admin";

/**
 * One backend as declared, by any source: the config file's `backends` entries, an etcd key, an
 * admin call. Discovery providers emit lists of these; the pool turns them into live `Backend`s.
 */
export interface BackendSpec {
  readonly url: string;
  readonly weight: number;
  readonly backup: boolean;
  /** Absent means `config`. Shown by the admin API next to each backend. */
  readonly source?: BackendSource;
  /**
   * Free-form labels (`version: v2`, `zone: a`) a canary or a route can select backends by; etcd
   * registrations carry them in their `Metadata` field.
   */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface HealthCheckConfig {
  readonly enabled: boolean;
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly unhealthyThreshold: number;
  readonly healthyThreshold: number;
  /** Inclusive ranges, e.g. "200-399" → [{min:200,max:399}]. */
  readonly expectStatus: readonly { readonly min: number; readonly max: number }[];
  /** Fraction of the interval added or removed at random, 0..1. */
  readonly jitter: number;
}

export interface PassiveHealthConfig {
  /** nginx max_fails; 0 disables. */
  readonly maxFails: number;
  /** nginx fail_timeout: the window failures are counted in, and the ejection time. */
  readonly failTimeoutMs: number;
  /** Envoy outlier detection: consecutive 5xx before ejection; 0 disables. */
  readonly consecutive5xx: number;
  /** Envoy: base ejection time, multiplied by the number of times ejected. */
  readonly baseEjectionMs: number;
  /** Envoy: at most this percentage of backends ejected at once. */
  readonly maxEjectionPercent: number;
}

export interface RetryConfig {
  /** Total attempts including the first (nginx proxy_next_upstream_tries). */
  readonly tries: number;
  /** Time budget for all attempts (nginx proxy_next_upstream_timeout); 0 = none. */
  readonly timeoutMs: number;
  readonly on: readonly RetryOn[];
}

export interface TimeoutsConfig {
  readonly connectMs: number;
  /** Until the response headers arrive. */
  readonly responseMs: number;
  /** Socket inactivity, either direction, once streaming. */
  readonly idleMs: number;
}

/** How values under an etcd prefix are read: etcd's own naming JSON, traceway's, or either. */
export type EtcdValueFormat = "auto" | "etcd-endpoints" | "traceway";

/** PEM file paths: `ca` replaces the system roots; `cert` and `key` (both or neither) are a client certificate. */
export interface EtcdTlsConfig {
  readonly ca: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
}

/** `upstreams.<name>.discovery.etcd`: every key under `prefix` is one backend. */
export interface EtcdDiscoveryConfig {
  /** `http(s)://host:port` of etcd members, all with the same scheme. */
  readonly endpoints: readonly string[];
  readonly prefix: string;
  readonly format: EtcdValueFormat;
  /** Set when a non-empty username is given (etcd's simple-token auth). */
  readonly auth: { readonly username: string; readonly password: string } | undefined;
  /** PEM file paths; set only for https endpoints. */
  readonly tls: EtcdTlsConfig | undefined;
  readonly dialTimeoutMs: number;
  /** Where the last known backend set is kept, to start with it while etcd is unreachable. */
  readonly cacheFile: string | undefined;
}

/** Where an upstream's backends come from when the config file does not list them. */
export interface DiscoveryConfig {
  readonly etcd: EtcdDiscoveryConfig;
}

/** One Prometheus metric a canary analysis checks (Flagger's metric template and threshold range). */
export interface CanaryMetricConfig {
  readonly name: string;
  /** PromQL with `{{ upstream }}`, `{{ backends }}` (a regex of the canary's host:port) and `{{ interval }}`. */
  readonly query: string;
  /** The result must be at least / at most these; at least one is set. */
  readonly min: number | undefined;
  readonly max: number | undefined;
}

export interface CanaryAnalysisConfig {
  /** p99 of the canary's responses over an interval must not exceed this. */
  readonly maxP99Ms: number;
  /** 5xx and transport errors as a share of the canary's requests, 0..1. */
  readonly maxErrorRate: number;
  /** Fewer canary requests in an interval make no decision. */
  readonly minRequests: number;
  /** Intervals in a row without a decision before the canary halts. */
  readonly maxIdleIntervals: number;
  /** Where `metrics` are queried; set when `metrics` is not empty. */
  readonly prometheus: { readonly url: string; readonly timeoutMs: number } | undefined;
  readonly metrics: readonly CanaryMetricConfig[];
}

/** `upstreams.<name>.canary`: a share of the upstream's traffic to a canary set, analysed per interval. */
export interface CanaryConfig {
  /** The canary set listed in the file; empty when `select` picks it from discovery. */
  readonly backends: readonly BackendSpec[];
  /** Discovered backends whose metadata has every one of these labels form the canary set. */
  readonly select: { readonly metadata: Readonly<Record<string, string>> } | undefined;
  /** Percent of the upstream's traffic at each step, increasing, each in (0, 100]. */
  readonly steps: readonly number[];
  readonly intervalMs: number;
  readonly analysis: CanaryAnalysisConfig;
  /** Failed analyses in a run before it is rolled back. */
  readonly failureLimit: number;
  /** A client keeps its side through a step by this cookie. */
  readonly stickiness: { readonly cookie: string } | undefined;
  /** A request header that forces a side (lower-cased); off when undefined. */
  readonly header: string | undefined;
  /** After the last step passes, wait for `POST .../canary/promote`. */
  readonly confirmPromotion: boolean;
  /** Where the canary's progress is kept across restarts. */
  readonly stateFile: string | undefined;
}

export interface UpstreamConfig {
  readonly name: string;
  readonly strategy: StrategyName;
  readonly hashKey: HashKeySource;
  /** The config file's list; empty when `discovery` supplies the backends. */
  readonly backends: readonly BackendSpec[];
  /** Set instead of `backends`: the upstream's backends are discovered. */
  readonly discovery?: DiscoveryConfig;
  readonly healthCheck: HealthCheckConfig;
  readonly passive: PassiveHealthConfig;
  readonly retry: RetryConfig;
  readonly timeouts: TimeoutsConfig;
  /** 0 = unlimited; otherwise requests queue for a slot. */
  readonly maxConnsPerBackend: number;
  readonly queue: { readonly size: number; readonly timeoutMs: number };
  /** Idle keep-alive sockets kept per backend. */
  readonly keepAlive: { readonly maxSockets: number; readonly maxFreeSockets: number };
  readonly slowStartMs: number;
  /** Offer every backend when none is healthy (Envoy panic mode); default off → 503. */
  readonly panicMode: boolean;
  /** A canary release in progress on this upstream. */
  readonly canary?: CanaryConfig;
}

export interface RouteConfig {
  readonly match: { readonly host?: string; readonly pathPrefix: string };
  readonly upstream: string;
  /** Preserve the client's Host header (nginx `proxy_set_header Host $host`); default true. */
  readonly preserveHost: boolean;
}

/**
 * How upstream requests are made: `undici` (default: undici pools through `dispatch`, the leanest)
 * or `http-proxy` (the named library's `web()`, which also tunnels WebSockets); see bench results.
 * A third, `node:http` directly, was removed: it cost more CPU per request than undici and did
 * nothing the other two do not (docs/bench.md).
 */
export type TransportName = "http-proxy" | "undici";

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly transport: TransportName;
  /** CIDRs/addresses whose X-Forwarded-* (and Forwarded) headers are trusted and kept. */
  readonly trustedProxies: readonly string[];
  /** Also send the RFC 7239 `Forwarded` header (`for=…;proto=…;host=…`). */
  readonly forwarded: boolean;
  /** Deadline for in-flight requests on SIGTERM. */
  readonly shutdownTimeoutMs: number;
  /** Time a client has to send a request's headers; 408 and a closed connection after it. */
  readonly headersTimeoutMs: number;
  /** Processes serving traffic on the one port (docs/workers.md); `auto` = one per available core. */
  readonly workers: WorkerCount;
}

export interface TelemetryConfig {
  readonly serviceName: string;
  /** `service.instance.id`; absent: a random UUID per start. */
  readonly serviceInstanceId?: string;
  /** Query parameters whose values spans show as `REDACTED` (case-insensitive). */
  readonly redactedQueryParameters: readonly string[];
  readonly prometheus: {
    readonly enabled: boolean;
    readonly host: string;
    readonly port: number;
    readonly path: string;
  };
  readonly traces: { readonly enabled: boolean; readonly otlpEndpoint: string; readonly sampleRatio: number };
}

/** `json`: flat snake_case fields (`timestamp`, `level`, `trace_id`…); `ecs`: Elastic Common Schema. */
export type LogFormat = "json" | "ecs";

export interface LoggingConfig {
  readonly level: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  readonly accessLog: boolean;
  readonly format: LogFormat;
}

/** A named admin API token; the name is who every change is logged as. */
export interface AdminToken {
  readonly name: string;
  readonly token: string;
}

/** The admin API's own listener (`admin`); absent from the config means off. */
export interface AdminConfig {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  readonly tokens: readonly AdminToken[];
  /** `token`: every request needs one; `loopback`: reads from loopback clients need none. */
  readonly readAccess: "token" | "loopback";
}

export interface TracewayConfig {
  readonly server: ServerConfig;
  readonly upstreams: ReadonlyMap<string, UpstreamConfig>;
  readonly routes: readonly RouteConfig[];
  readonly telemetry: TelemetryConfig;
  readonly logging: LoggingConfig;
  /** The admin API; absent when the file has no `admin` block. */
  readonly admin?: AdminConfig;
  /** Kafka bridges and the lag exporter; absent when the file has no `kafka` section. */
  readonly kafka?: KafkaConfig;
}
