/**
 * The shape of a configuration file, as a zod schema. Every object is strict, so a misspelt key
 * is an error naming it (with the likely intended key) instead of a silently ignored setting.
 * Leaf values are parsed here (durations to ms, URLs to origins, `host:port` split); defaults
 * are filled later by `normalise.ts`, so this schema's output keeps "not given" distinguishable.
 */
import * as z from "zod";
import { parseAddressRange } from "./address-range.ts";
import { parseBackendUrl, parseHttpUrl } from "./backend-url.ts";
import { MAX_WEIGHT, MIN_ADMIN_TOKEN_LENGTH } from "./defaults.ts";
import { parseEtcdEndpoint } from "./etcd-endpoint.ts";
import { parseHashKey } from "./hash-key-source.ts";
import { kafkaSchema } from "./kafka-schema.ts";
import { isHostName, parseListen } from "./listen.ts";
import { fail, ok, show, type Parsed } from "./parsed.ts";
import {
  absolutePath,
  atLeastOne,
  count,
  duration,
  durationAtLeast,
  oneOf,
  parsedBy,
  positiveDuration,
  strict,
} from "./schema-parts.ts";
import { parseStatusRanges } from "./status-ranges.ts";
import { parseWorkerCount } from "./worker-count.ts";
import type {
  AdminConfig,
  EtcdValueFormat,
  LogFormat,
  LoggingConfig,
  RetryOn,
  StrategyName,
  TransportName,
} from "./types.ts";

/** Every strategy name, in documentation order. */
export const STRATEGY_NAMES = [
  "round_robin",
  "weighted_round_robin",
  "least_conn",
  "ip_hash",
  "ip_hash_nginx",
  "consistent_hash",
  "random",
  "p2c",
  "ewma",
] as const satisfies readonly StrategyName[];

export const RETRY_CONDITIONS = [
  "error",
  "timeout",
  "http_500",
  "http_502",
  "http_503",
  "http_504",
  "http_429",
] as const satisfies readonly RetryOn[];

export const TRANSPORT_NAMES = ["http-proxy", "undici"] as const satisfies readonly TransportName[];

export const LOG_LEVELS = [
  "trace",
  "debug",
  "info",
  "warn",
  "error",
  "fatal",
  "silent",
] as const satisfies readonly LoggingConfig["level"][];

export const ETCD_VALUE_FORMATS = [
  "auto",
  "etcd-endpoints",
  "traceway",
] as const satisfies readonly EtcdValueFormat[];

export const LOG_FORMATS = ["json", "ecs"] as const satisfies readonly LogFormat[];

// Compile-time proof that the lists above name every member of the types they mirror.
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : Exclude<All, Listed>;
void ([true, true, true, true, true, true] satisfies [
  Missing<StrategyName, (typeof STRATEGY_NAMES)[number]>,
  Missing<RetryOn, (typeof RETRY_CONDITIONS)[number]>,
  Missing<TransportName, (typeof TRANSPORT_NAMES)[number]>,
  Missing<LoggingConfig["level"], (typeof LOG_LEVELS)[number]>,
  Missing<EtcdValueFormat, (typeof ETCD_VALUE_FORMATS)[number]>,
  Missing<LogFormat, (typeof LOG_FORMATS)[number]>,
]);

// RFC 9110 token: what a header or cookie name may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/i;

const routeHost = parsedBy((input) => {
  if (typeof input !== "string") return fail(`expected a host name, got ${show(input)}`);
  const host = input.trim().toLowerCase();
  if (/:\d+$/.test(host)) return fail(`invalid host ${show(input)}: routes match the host without its port`);
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!isHostName(bare)) return fail(`invalid host ${show(input)}`);
  return ok(host);
});

const otlpEndpoint = parsedBy((input) => {
  if (typeof input !== "string") return fail(`expected a URL, got ${show(input)}`);
  if (input === "") return ok("");
  const parsed = parseHttpUrl(input, "OTLP/HTTP needs http or https");
  return parsed.ok ? ok(input) : fail(parsed.message);
});

const backendSchema = strict({
  url: parsedBy(parseBackendUrl),
  weight: z.number().int().min(1).max(MAX_WEIGHT).optional(),
  backup: z.boolean().optional(),
});

const healthCheckSchema = strict({
  enabled: z.boolean().optional(),
  path: absolutePath("path").optional(),
  interval: positiveDuration.optional(),
  timeout: positiveDuration.optional(),
  unhealthyThreshold: atLeastOne.optional(),
  healthyThreshold: atLeastOne.optional(),
  expectStatus: parsedBy(parseStatusRanges).optional(),
  jitter: z.number().min(0).max(1).optional(),
});

// ---- discovery.etcd ----

const etcdEndpoint = parsedBy(parseEtcdEndpoint);

const filePath = z.string().min(1);

const etcdDiscoverySchema = strict({
  endpoints: z.array(etcdEndpoint).min(1),
  prefix: z.string().min(1),
  format: oneOf(ETCD_VALUE_FORMATS, "value format").optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  tls: strict({ ca: filePath.optional(), cert: filePath.optional(), key: filePath.optional() }).optional(),
  dialTimeout: positiveDuration.optional(),
  cacheFile: filePath.optional(),
}).superRefine((etcd, ctx) => {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
  const secure = etcd.endpoints.map((e) => e.startsWith("https:"));
  if (secure.some((s) => s !== secure[0]))
    issue(["endpoints"], "mixes http and https; use one scheme for every member");
  else if (etcd.tls !== undefined && !secure[0])
    issue(["tls"], "is set but the endpoints use http://; use https:// endpoints");
  if (etcd.tls?.cert !== undefined && etcd.tls.key === undefined)
    issue(["tls", "key"], "is required when tls.cert is set");
  if (etcd.tls?.key !== undefined && etcd.tls.cert === undefined)
    issue(["tls", "cert"], "is required when tls.key is set");
  // `username: ${ETCD_USER:-}` leaves an empty string when auth is not wanted.
  const user = etcd.username ?? "";
  const password = etcd.password ?? "";
  if (user !== "" && password === "") issue(["password"], "is required when username is set");
  if (user === "" && password !== "") issue(["username"], "is required when password is set");
});

const discoverySchema = strict({ etcd: etcdDiscoverySchema });

// ---- canary ----

const httpHeaderName = parsedBy((input) => {
  if (typeof input !== "string" || !TOKEN.test(input))
    return fail(`expected a header name such as "x-canary", got ${show(input)}`);
  return ok(input.toLowerCase());
});

const stickiness = parsedBy((input) => {
  const match = typeof input === "string" ? /^cookie:(.+)$/.exec(input.trim()) : null;
  if (!match || !TOKEN.test(match[1]!))
    return fail(`expected "cookie:NAME" such as "cookie:tw_canary", got ${show(input)}`);
  return ok({ cookie: match[1]! });
});

/** `{ version: v2, zone: a }`: labels a discovered backend's metadata must all carry. */
function parseLabels(input: unknown): Parsed<Readonly<Record<string, string>>> {
  if (input === null || typeof input !== "object" || Array.isArray(input))
    return fail(`expected labels such as { version: v2 }, got ${show(input)}`);
  const entries = Object.entries(input);
  if (entries.length === 0) return fail("must name at least one label");
  const bad = entries.find(([, value]) => typeof value !== "string");
  if (bad) return fail(`label ${show(bad[0])} must be a string, got ${show(bad[1])}`);
  return ok(Object.fromEntries(entries) as Record<string, string>);
}

const canaryMetricSchema = strict({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { error: 'use letters, digits, "_" and "-"' }),
  query: z.string().min(1),
  min: z.number().optional(),
  max: z.number().optional(),
}).refine((m) => m.min !== undefined || m.max !== undefined, { error: "needs min or max (the threshold)" });

const canaryAnalysisSchema = strict({
  maxP99: positiveDuration.optional(),
  maxErrorRate: z.number().min(0).max(1).optional(),
  minRequests: atLeastOne.optional(),
  maxIdleIntervals: atLeastOne.optional(),
  prometheus: strict({
    url: parsedBy((input): Parsed<string> => {
      if (typeof input !== "string") return fail(`expected a URL, got ${show(input)}`);
      const parsed = parseHttpUrl(input, "Prometheus speaks http or https");
      return parsed.ok ? ok(input.replace(/\/+$/, "")) : fail(parsed.message);
    }),
    timeout: positiveDuration.optional(),
  }).optional(),
  metrics: z.array(canaryMetricSchema).optional(),
});

const canarySchema = strict({
  // Exactly one of backends and select: cross-checks.ts.
  backends: z.array(backendSchema).min(1).optional(),
  select: strict({ metadata: parsedBy(parseLabels) }).optional(),
  steps: z
    .array(z.number().gt(0, { error: "must be above 0" }).max(100))
    .min(1)
    .refine((steps) => steps.every((s, i) => i === 0 || s > steps[i - 1]!), {
      error: "must increase from one step to the next",
    })
    .optional(),
  interval: durationAtLeast(1000).optional(),
  analysis: canaryAnalysisSchema.optional(),
  failureLimit: atLeastOne.optional(),
  stickiness: stickiness.optional(),
  header: httpHeaderName.optional(),
  confirmPromotion: z.boolean().optional(),
  stateFile: z.string().min(1).optional(),
}).superRefine((canary, ctx) => {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
  if (canary.backends === undefined && canary.select === undefined)
    issue([], "needs backends (the canary set) or select (pick it from discovery by metadata)");
  if (canary.backends !== undefined && canary.select !== undefined)
    issue(["select"], "give backends or select, not both");
  const analysis = canary.analysis;
  if ((analysis?.metrics?.length ?? 0) > 0 && analysis?.prometheus === undefined)
    issue(["analysis", "prometheus"], "is required when analysis.metrics is given (where to query them)");
  const names = new Set<string>();
  analysis?.metrics?.forEach((m, i) => {
    if (names.has(m.name)) issue(["analysis", "metrics", i, "name"], `duplicate metric name ${show(m.name)}`);
    names.add(m.name);
  });
});

const upstreamSchema = strict({
  strategy: oneOf(STRATEGY_NAMES, "strategy").optional(),
  hashKey: parsedBy(parseHashKey).optional(),
  // Optional here: cross-checks.ts requires exactly one of `backends` and `discovery`.
  backends: z.array(backendSchema).min(1).optional(),
  discovery: discoverySchema.optional(),
  healthCheck: healthCheckSchema.optional(),
  passive: strict({
    maxFails: count.optional(),
    failTimeout: positiveDuration.optional(),
    consecutive5xx: count.optional(),
    baseEjectionTime: positiveDuration.optional(),
    maxEjectionPercent: count.max(100).optional(),
  }).optional(),
  retry: strict({
    tries: atLeastOne.optional(),
    timeout: duration.optional(),
    on: z.array(oneOf(RETRY_CONDITIONS, "retry condition")).optional(),
  }).optional(),
  timeouts: strict({
    connect: duration.optional(),
    response: duration.optional(),
    idle: duration.optional(),
  }).optional(),
  maxConnsPerBackend: count.optional(),
  queue: strict({ size: count.optional(), timeout: duration.optional() }).optional(),
  keepAlive: strict({ maxSockets: count.optional(), maxFreeSockets: count.optional() }).optional(),
  slowStart: duration.optional(),
  panicMode: z.boolean().optional(),
  canary: canarySchema.optional(),
});

const routeSchema = strict({
  match: strict({
    host: routeHost.optional(),
    pathPrefix: absolutePath("path prefix").optional(),
  }).optional(),
  upstream: z.string(),
  preserveHost: z.boolean().optional(),
});

// ---- admin ----

/** Admin tokens are secrets: messages give their length, never their value. */
const adminToken = parsedBy((input) => {
  if (typeof input !== "string")
    return fail(`expected a string of at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  if (input.length < MIN_ADMIN_TOKEN_LENGTH)
    return fail(
      `is ${input.length} characters long; an admin token needs at least ${MIN_ADMIN_TOKEN_LENGTH}`,
    );
  return ok(input);
});

const tokenName = z.string().regex(/^[A-Za-z0-9_.@-]+$/, {
  error: "use letters, digits and _ . @ - (it is logged as who made each change)",
});

export const READ_ACCESS = ["token", "loopback"] as const satisfies readonly AdminConfig["readAccess"][];

const adminSchema = strict({
  enabled: z.boolean().optional(),
  listen: parsedBy(parseListen).optional(),
  token: adminToken.optional(),
  tokenName: tokenName.optional(),
  tokens: z
    .array(strict({ name: tokenName, token: adminToken }))
    .min(1)
    .optional(),
  readAccess: oneOf(READ_ACCESS, "read access").optional(),
}).superRefine((admin, ctx) => {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
  if (admin.token !== undefined && admin.tokens !== undefined)
    issue(["tokens"], "give token (one, named by tokenName) or tokens (a list), not both");
  if (admin.tokenName !== undefined && admin.token === undefined)
    issue(["tokenName"], "names admin.token, which is not set");
  if (admin.enabled !== false && admin.token === undefined && admin.tokens === undefined)
    issue([], "needs token or tokens: every write is authenticated");
  const names = new Set<string>();
  const secrets = new Set<string>();
  admin.tokens?.forEach((t, i) => {
    if (names.has(t.name)) issue(["tokens", i, "name"], `duplicate token name ${show(t.name)}`);
    if (secrets.has(t.token)) issue(["tokens", i, "token"], "the same token as an earlier entry");
    names.add(t.name);
    secrets.add(t.token);
  });
});

/** The whole file. Only `upstreams` is required. */
export const configSchema = strict({
  server: strict({
    listen: parsedBy(parseListen).optional(),
    transport: oneOf(TRANSPORT_NAMES, "transport").optional(),
    trustedProxies: z.array(parsedBy(parseAddressRange)).optional(),
    forwarded: z.boolean().optional(),
    shutdownTimeout: duration.optional(),
    headersTimeout: positiveDuration.optional(),
    workers: parsedBy(parseWorkerCount).optional(),
  }).optional(),
  upstreams: z
    // Names are checked in cross-checks.ts: zod reports a bad record key without the key's value.
    .record(z.string(), upstreamSchema)
    .refine((upstreams) => Object.keys(upstreams).length > 0, { error: "define at least one upstream" }),
  routes: z.array(routeSchema).optional(),
  telemetry: strict({
    serviceName: z.string().min(1).optional(),
    serviceInstanceId: z.string().min(1).optional(),
    redactedQueryParameters: z.array(z.string().min(1)).optional(),
    prometheus: strict({
      enabled: z.boolean().optional(),
      listen: parsedBy(parseListen).optional(),
      path: absolutePath("path").optional(),
    }).optional(),
    traces: strict({
      enabled: z.boolean().optional(),
      otlpEndpoint: otlpEndpoint.optional(),
      sampleRatio: z.number().min(0).max(1).optional(),
    }).optional(),
  }).optional(),
  logging: strict({
    level: oneOf(LOG_LEVELS, "log level").optional(),
    accessLog: z.boolean().optional(),
    format: oneOf(LOG_FORMATS, "log format").optional(),
  }).optional(),
  admin: adminSchema.optional(),
  kafka: kafkaSchema.optional(),
});

/** A file that passed the schema: leaves parsed, defaults not yet filled. */
export type ValidatedFile = z.output<typeof configSchema>;
