/**
 * The data of a `traceway load` run: the plan parsed from the command line, and what each step
 * measured. The JSON report is exactly {@link LoadReport}, so these names are a public format.
 */
import type { ConnectTarget } from "./http1-connection.ts";

/** Closed model: N connections, each sends when answered. Open model: requests on a fixed schedule. */
export type LoadMode = "connections" | "rate";

/** An inclusive range of HTTP statuses counted as success (`--expect-status 200-399`). */
export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

export type ThresholdOperator = "<" | "<=" | ">" | ">=";

/** Which number of a step a threshold compares. */
export type ThresholdMetric =
  | { readonly kind: "percentile"; readonly percentile: number }
  | { readonly kind: "mean" | "min" | "max" | "errors" | "rps" };

/** One parsed `--threshold`: latency values in ms, `errors` as a fraction, `rps` in requests/s. */
export interface Threshold {
  /** As the user wrote it, for messages and reports. */
  readonly expression: string;
  readonly metric: ThresholdMetric;
  readonly operator: ThresholdOperator;
  readonly value: number;
}

/** The request every connection sends, serialised once. */
export interface RequestSpec {
  readonly url: string;
  readonly method: string;
  readonly target: ConnectTarget;
  /** Request line, headers and body as written to the socket. */
  readonly bytes: Buffer;
  /** HEAD: responses carry no body whatever their headers say. */
  readonly noBody: boolean;
}

export interface PrometheusOptions {
  /** Base URL of the Prometheus HTTP API. */
  readonly url: string;
  /** Label matchers added to every selector (`job="traceway"`), to pick one balancer's series. */
  readonly match: string;
}

export interface LoadPlan {
  readonly mode: LoadMode;
  /** Connections per step (closed model) or requests/s per step (open model). */
  readonly levels: readonly number[];
  readonly stepDurationMs: number;
  readonly warmupMs: number;
  /** Open model: at most this many connections; requests beyond wait (and that wait is latency). */
  readonly maxConnections: number;
  readonly workers: number;
  readonly request: RequestSpec;
  readonly timeoutMs: number;
  readonly expectStatus: readonly StatusRange[];
  readonly thresholds: readonly Threshold[];
  readonly abortOnFail: boolean;
  readonly prometheus: PrometheusOptions | undefined;
  readonly reportHtml: string | undefined;
  readonly reportJson: string | undefined;
  /** How often the live progress line is written when stderr is not a terminal. */
  readonly progressIntervalMs: number | undefined;
}

/** Latencies of a step in milliseconds, from the HDR histogram (microsecond resolution). */
export interface LatencySummary {
  readonly min: number;
  readonly mean: number;
  readonly stdev: number;
  readonly p50: number;
  readonly p75: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Whether the generator itself limited the step, and why. */
export interface GeneratorLoad {
  readonly workers: number;
  /** Worker CPU time over wall time per core the workers could use, 0–1. */
  readonly cpuPerCore: number;
  /** The busiest worker thread's CPU over wall time, 0–1. */
  readonly maxWorkerCpu: number;
  readonly saturated: boolean;
  /** Human-readable causes when saturated. */
  readonly reasons: readonly string[];
}

export interface ThresholdOutcome {
  readonly expression: string;
  readonly held: boolean;
  /** The step's value of the metric, in `unit`. */
  readonly actual: number;
  readonly unit: ThresholdUnit;
}

/** Latency thresholds compare milliseconds, `errors` a fraction, `rps` requests per second. */
export type ThresholdUnit = "ms" | "ratio" | "req/s";

/** traceway's own view of one backend over a step's window, from Prometheus. */
export interface BackendWindow {
  readonly upstream: string;
  readonly backend: string;
  readonly requests: number;
  readonly errors: number;
  /** Upstream p99 in ms, from the histogram buckets (so bucket-resolution); undefined without traffic. */
  readonly p99Ms: number | undefined;
  readonly retries: number;
  readonly ejections: number;
}

export interface PrometheusWindow {
  readonly backends: readonly BackendWindow[];
  /**
   * The scrapes the numbers come from (epoch ms): counters at `scrapedTo` minus counters at
   * `scrapedFrom`, each the newest scrape at or before the step's end and start. They differ from
   * the step's window by up to a scrape interval; undefined where there was no scrape yet.
   */
  readonly scrapedFrom: number | undefined;
  readonly scrapedTo: number | undefined;
  /** A query that failed, quoted; the other numbers are still good. */
  readonly errors: readonly string[];
}

export interface StepResult {
  /** 1-based. */
  readonly step: number;
  readonly mode: LoadMode;
  /** Connections or target requests/s. */
  readonly level: number;
  /** Wall-clock window, epoch milliseconds. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly durationS: number;
  /** Requests started in the window (all of them are accounted: a response or an error). */
  readonly requests: number;
  /** Responses that arrived inside the window, per second: the throughput. */
  readonly throughput: number;
  /** Requests written to a connection inside the window, per second. */
  readonly sentRate: number;
  /** Open model: the scheduled rate. */
  readonly targetRate: number | undefined;
  /** Transport errors plus responses outside `--expect-status`. */
  readonly errors: number;
  readonly errorRate: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly errorKinds: Readonly<Record<string, number>>;
  readonly latencyMs: LatencySummary;
  /** [percentile, ms] pairs for the percentile-spectrum chart. */
  readonly percentiles: ReadonlyArray<readonly [number, number]>;
  readonly generator: GeneratorLoad;
  readonly thresholds: readonly ThresholdOutcome[];
  /** The step's HDR histogram (µs), compressed base64 as HdrHistogram's encodeIntoCompressedByteBuffer. */
  readonly histogram: string;
  prometheus?: PrometheusWindow;
}

/** The knee and the first threshold break, in step numbers. */
export interface Analysis {
  /** Last step of the run of ≥10%-per-step throughput gains with p99 ≤ 2× the first step's. */
  readonly knee: number | undefined;
  /** False when throughput was still rising at the last step, so the knee lies beyond the steps run. */
  readonly kneeReached: boolean;
  readonly kneeReason: string;
  readonly firstThresholdBreak:
    { readonly step: number; readonly expressions: readonly string[] } | undefined;
  readonly thresholdsHeld: boolean;
  readonly saturatedSteps: readonly number[];
}

export interface LoadReport {
  readonly tool: "traceway load";
  readonly version: 1;
  readonly url: string;
  readonly method: string;
  readonly mode: LoadMode;
  readonly levels: readonly number[];
  readonly stepDurationS: number;
  readonly warmupS: number;
  readonly workers: number;
  readonly thresholds: readonly string[];
  readonly prometheus: string | undefined;
  readonly startedAt: string;
  /** True when the run was stopped (Ctrl-C, --abort-on-fail) before its last step. */
  readonly interrupted: boolean;
  readonly stoppedBy: string | undefined;
  readonly steps: readonly StepResult[];
  readonly analysis: Analysis;
}
