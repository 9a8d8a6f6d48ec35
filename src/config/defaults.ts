/**
 * Every default traceway fills in, in one place (docs/configuration.md's reference table repeats
 * them for users). Durations are milliseconds; values written in file syntax (listen addresses,
 * status lists, hash keys) are parsed by the same parsers as the file. Where a value follows
 * nginx or Envoy the comment says which.
 */
import { DEFAULT_REDACTED_QUERY_PARAMETERS as INTERCEPTOR_REDACTED_QUERY_PARAMETERS } from "../../interceptors/balancer-entry.ts";
import type { BridgeMethod, BridgeOrdering, BridgeRetryOn, BridgeStartFrom } from "./kafka-types.ts";
import type {
  AdminConfig,
  EtcdValueFormat,
  LogFormat,
  LoggingConfig,
  RetryOn,
  StrategyName,
  TransportName,
} from "./types.ts";
import type { WorkerCount } from "./worker-count.ts";

// server
export const DEFAULT_LISTEN = "0.0.0.0:8080";
/**
 * undici pools driven through `dispatch`: the faster of the two transports behind the same
 * behaviour and tests (bench/results: 1.3-2x the requests per CPU second of `http-proxy`).
 * `http-proxy` stays selectable, and still tunnels every WebSocket upgrade.
 */
export const DEFAULT_TRANSPORT: TransportName = "undici";
/** Trust no one's X-Forwarded-* headers unless told to (they are trivially spoofed). */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = [];
/** RFC 7239 `Forwarded` is off by default: nginx and most backends read X-Forwarded-* only. */
export const DEFAULT_FORWARDED = false;
/** Kubernetes' default terminationGracePeriodSeconds is 30 s. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
/**
 * A client has this long to send a request's headers (nginx's client_header_timeout and Node's own
 * headersTimeout are both 60 s); a slower one (slowloris) gets 408 and its connection is closed.
 */
export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;
/**
 * One process, as before workers existed: no primary, no IPC. `auto` (one per core) is opt-in
 * until the multi-worker bench row holds its target on every machine we measure.
 */
export const DEFAULT_WORKERS: WorkerCount = 1;

// upstream
export const DEFAULT_STRATEGY: StrategyName = "round_robin";
export const DEFAULT_HASH_KEY = "ip";
export const DEFAULT_WEIGHT = 1;
/** Upper bound on a backend weight; HAProxy caps at 256, we leave room and keep WRR arithmetic small. */
export const MAX_WEIGHT = 1000;

// healthCheck (active): interval/timeout/thresholds as Envoy's health_check, jitter as its interval_jitter_percent.
export const DEFAULT_HEALTH_PATH = "/healthz";
export const DEFAULT_HEALTH_INTERVAL_MS = 5000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;
export const DEFAULT_UNHEALTHY_THRESHOLD = 3;
export const DEFAULT_HEALTHY_THRESHOLD = 2;
export const DEFAULT_EXPECT_STATUS = "200-399";
export const DEFAULT_HEALTH_JITTER = 0.1;

// passive: nginx max_fails/fail_timeout (nginx's own default max_fails is 1; 3 tolerates a blip).
export const DEFAULT_MAX_FAILS = 3;
export const DEFAULT_FAIL_TIMEOUT_MS = 10_000;
// passive: Envoy outlier detection defaults.
export const DEFAULT_CONSECUTIVE_5XX = 5;
export const DEFAULT_BASE_EJECTION_MS = 30_000;
export const DEFAULT_MAX_EJECTION_PERCENT = 50;

// retry: nginx proxy_next_upstream defaults to "error timeout"; 3 tries total, no extra time budget.
export const DEFAULT_RETRY_TRIES = 3;
export const DEFAULT_RETRY_TIMEOUT_MS = 0;
export const DEFAULT_RETRY_ON: readonly RetryOn[] = ["error", "timeout"];

// timeouts: Envoy's connect_timeout is 5 s; nginx's proxy_read_timeout is 60 s.
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_RESPONSE_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export const DEFAULT_MAX_CONNS_PER_BACKEND = 0;
export const DEFAULT_QUEUE_SIZE = 100;
export const DEFAULT_QUEUE_TIMEOUT_MS = 5000;
export const DEFAULT_KEEPALIVE_MAX_SOCKETS = 256;
export const DEFAULT_KEEPALIVE_MAX_FREE_SOCKETS = 64;
export const DEFAULT_SLOW_START_MS = 0;
export const DEFAULT_PANIC_MODE = false;

// discovery.etcd: etcdctl's default --dial-timeout is 2 s.
export const DEFAULT_ETCD_FORMAT: EtcdValueFormat = "auto";
export const DEFAULT_ETCD_DIAL_TIMEOUT_MS = 2000;

// routes
export const DEFAULT_PATH_PREFIX = "/";
export const DEFAULT_PRESERVE_HOST = true;

// telemetry
export const DEFAULT_SERVICE_NAME = "traceway";
/** Signatures, tokens, passwords and API keys: the HTTP interceptors' own default list. */
export const DEFAULT_REDACTED_QUERY_PARAMETERS: readonly string[] = INTERCEPTOR_REDACTED_QUERY_PARAMETERS;
export const DEFAULT_PROMETHEUS_ENABLED = true;
/** The exporter-prometheus default port, bound to loopback so metrics are not public by accident. */
export const DEFAULT_PROMETHEUS_LISTEN = "127.0.0.1:9464";
export const DEFAULT_PROMETHEUS_PATH = "/metrics";
/** The OTLP/HTTP default, used when `traces.enabled: true` is given without an endpoint. */
export const DEFAULT_OTLP_TRACES_ENDPOINT = "http://127.0.0.1:4318/v1/traces";
/** The OpenTelemetry default sampler samples every trace; lower it for busy services. */
export const DEFAULT_SAMPLE_RATIO = 1;

// logging
export const DEFAULT_LOG_LEVEL: LoggingConfig["level"] = "info";
export const DEFAULT_ACCESS_LOG = true;
/** The seed's flat fields; `ecs` is for Elasticsearch (see docs/telemetry.md, Logs). */
export const DEFAULT_LOG_FORMAT: LogFormat = "json";

// canary: Flagger-like analysis. The p99 threshold is the seed's 2 s; the error rate is Flagger's
// usual request-success-rate of 99 %. maxIdleIntervals: no data for this many intervals halts.
export const DEFAULT_CANARY_STEPS: readonly number[] = [5, 25, 50, 100];
export const DEFAULT_CANARY_INTERVAL_MS = 60_000;
export const DEFAULT_CANARY_MAX_P99_MS = 2000;
export const DEFAULT_CANARY_MAX_ERROR_RATE = 0.01;
export const DEFAULT_CANARY_MIN_REQUESTS = 50;
export const DEFAULT_CANARY_MAX_IDLE_INTERVALS = 10;
export const DEFAULT_CANARY_FAILURE_LIMIT = 2;
export const DEFAULT_CANARY_CONFIRM_PROMOTION = false;
export const DEFAULT_PROMETHEUS_QUERY_TIMEOUT_MS = 5000;

// admin: its own listener, loopback only unless told otherwise (like Envoy's admin interface).
export const DEFAULT_ADMIN_LISTEN = "127.0.0.1:9901";
/** The name a lone `admin.token` is logged as. */
export const DEFAULT_ADMIN_TOKEN_NAME = "admin";
export const DEFAULT_ADMIN_READ_ACCESS: AdminConfig["readAccess"] = "token";
/** Shorter tokens are refused: 16 characters of a random token are ~96 bits. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

// kafka: the connection (kafkajs' own connectionTimeout of 1 s is tight for a loaded broker).
export const DEFAULT_KAFKA_CLIENT_ID = "traceway";
export const DEFAULT_KAFKA_CONNECTION_TIMEOUT_MS = 3000;

// kafka.bridges[]: Dapr's pub/sub to HTTP posts each message; uForwarder orders per key.
export const DEFAULT_BRIDGE_GROUP_PREFIX = "traceway-";
export const DEFAULT_BRIDGE_PATH = "/";
export const DEFAULT_BRIDGE_METHOD: BridgeMethod = "POST";
export const DEFAULT_BRIDGE_ORDERING: BridgeOrdering = "key";
export const DEFAULT_BRIDGE_CONCURRENCY = 16;
export const DEFAULT_BRIDGE_RETRY_TRIES = 5;
export const DEFAULT_BRIDGE_BACKOFF_MS = 200;
export const DEFAULT_BRIDGE_MAX_BACKOFF_MS = 10_000;
export const DEFAULT_BRIDGE_RETRY_ON: readonly BridgeRetryOn[] = ["error", "timeout", "http_5xx", "http_429"];
/** Kafka's own auto.offset.reset default: a new group reads only what is produced from now on. */
export const DEFAULT_BRIDGE_START_FROM: BridgeStartFrom = "latest";

// kafka.lag: kafka-lag-exporter polls every 30 s, Burrow every 30-60 s; 15 s keeps alerts timely.
export const DEFAULT_LAG_INTERVAL_MS = 15_000;
