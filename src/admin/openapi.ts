/**
 * The admin API described as OpenAPI 3.1 (its schemas are JSON Schema 2020-12), served at
 * `/api/v1/openapi.json`. It mirrors `api-types.ts`; test/integration/admin/openapi.test.ts
 * validates real responses and stream events against it, so the two cannot drift apart unseen.
 */

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string): Json => ({ type: [type, "null"] });
const time: Json = { type: "string", format: "date-time" };
const count: Json = { type: "integer", minimum: 0 };

/** An object whose every listed property is required and no other is allowed. */
function closed(properties: Record<string, Json>, optional: readonly string[] = []): Json {
  return {
    type: "object",
    additionalProperties: false,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
    properties,
  };
}

const PHASES = ["progressing", "paused", "awaiting_promotion", "promoted", "rolled_back", "halted"];

const windowStats = closed({
  requests: count,
  errors: count,
  errorRate: nullable("number"),
  p50Ms: nullable("number"),
  p99Ms: nullable("number"),
});

const override = closed(
  {
    weight: { type: "integer", minimum: 0, maximum: 1000 },
    draining: { type: "boolean" },
    enabled: { type: "boolean" },
  },
  ["weight", "draining", "enabled"],
);

const backend = closed({
  id: { type: "string", examples: ["http://127.0.0.1:8001"] },
  name: { type: "string", examples: ["127.0.0.1:8001"] },
  role: { enum: ["stable", "canary"] },
  source: { enum: ["config", "etcd", "admin"] },
  metadata: { type: "object", additionalProperties: { type: "string" } },
  backup: { type: "boolean" },
  weight: { type: "integer", minimum: 0 },
  effectiveWeight: { type: "number", minimum: 0 },
  trafficShare: { type: "number", minimum: 0, maximum: 1 },
  state: { enum: ["disabled", "draining", "down", "ejected", "up"] },
  health: closed({
    active: { enum: ["up", "down", "off"] },
    passive: { enum: ["ok", "ejected"] },
    ejectedUntil: { anyOf: [time, { type: "null" }] },
  }),
  override: { anyOf: [ref("BackendOverride"), { type: "null" }] },
  inFlight: count,
  rps: { type: "number", minimum: 0 },
  p99Ms: nullable("number"),
  lastMinute: ref("WindowStats"),
});

const check = closed(
  {
    name: { type: "string" },
    value: nullable("number"),
    min: { type: "number" },
    max: { type: "number" },
    ok: nullable("boolean"),
    error: { type: "string" },
  },
  ["min", "max", "error"],
);

const analysisProperties: Record<string, Json> = {
  at: time,
  step: count,
  share: { type: "number", minimum: 0, maximum: 100 },
  verdict: { enum: ["pass", "fail", "no_data"] },
  requests: count,
  errors: count,
  errorRate: nullable("number"),
  p99Ms: nullable("number"),
  checks: { type: "array", items: ref("AnalysisCheck") },
  reason: { type: "string" },
};

const transitionProperties: Record<string, Json> = {
  at: time,
  from: { enum: PHASES },
  to: { enum: PHASES },
  step: count,
  share: { type: "number", minimum: 0, maximum: 100 },
  reason: { type: "string" },
  by: { type: "string" },
};

const canary = closed({
  upstream: { type: "string" },
  phase: { enum: PHASES },
  step: count,
  steps: { type: "array", items: { type: "number", exclusiveMinimum: 0, maximum: 100 } },
  share: { type: "number", minimum: 0, maximum: 100 },
  selector: {
    anyOf: [
      closed({ metadata: { type: "object", additionalProperties: { type: "string" } } }),
      { type: "null" },
    ],
  },
  intervalMs: { type: "integer", minimum: 1 },
  failures: count,
  failureLimit: { type: "integer", minimum: 1 },
  idleIntervals: count,
  maxIdleIntervals: { type: "integer", minimum: 1 },
  thresholds: closed({
    maxP99Ms: { type: "number" },
    maxErrorRate: { type: "number" },
    minRequests: count,
  }),
  stickiness: { anyOf: [closed({ cookie: { type: "string" } }), { type: "null" }] },
  header: nullable("string"),
  confirmPromotion: { type: "boolean" },
  nextAnalysisAt: { anyOf: [time, { type: "null" }] },
  startedAt: time,
  updatedAt: time,
  reason: { type: "string" },
  analyses: { type: "array", items: ref("Analysis") },
  transitions: { type: "array", items: ref("Transition") },
});

const upstream = closed({
  name: { type: "string" },
  strategy: { type: "string" },
  discovery: { type: "string" },
  backends: { type: "array", items: ref("Backend") },
  canary: { anyOf: [ref("Canary"), { type: "null" }] },
});

const error = closed({
  error: closed({ code: { type: "string", pattern: "^TRACEWAY_ERR_[A-Z_]+$" }, message: { type: "string" } }),
});

const schemas: Record<string, Json> = {
  WindowStats: windowStats,
  BackendOverride: override,
  Backend: backend,
  Upstream: upstream,
  UpstreamList: closed({ upstreams: { type: "array", items: ref("Upstream") } }),
  BackendPatch: {
    type: "object",
    additionalProperties: false,
    minProperties: 1,
    properties: {
      weight: { type: "integer", minimum: 0, maximum: 1000 },
      drain: { type: "boolean" },
      enabled: { type: "boolean" },
    },
  },
  BackendChange: closed({
    backend: ref("Backend"),
    applied: {
      anyOf: [{ $ref: "#/components/schemas/BackendPatch" }, closed({ reset: { const: true } })],
    },
    holds: { type: "string" },
  }),
  AnalysisCheck: check,
  Analysis: closed(analysisProperties),
  Transition: closed(transitionProperties),
  Canary: canary,
  CanaryAction: closed({ action: { enum: ["pause", "resume", "restart"] } }),
  Error: error,
  // The event stream's `data:` payloads, one schema per `event:` name.
  SnapshotEvent: closed({ at: time, upstreams: { type: "array", items: ref("Upstream") } }),
  HealthEvent: closed({
    at: time,
    upstream: { type: "string" },
    backend: { type: "string" },
    up: { type: "boolean" },
    reason: { type: "string" },
  }),
  EjectionEvent: closed({
    at: time,
    upstream: { type: "string" },
    backend: { type: "string" },
    reason: { type: "string" },
    until: time,
  }),
  MembersEvent: closed({
    at: time,
    upstream: { type: "string" },
    role: { enum: ["stable", "canary"] },
    added: { type: "array", items: { type: "string" } },
    removed: { type: "array", items: { type: "string" } },
  }),
  ReloadEvent: closed({
    at: time,
    outcome: { enum: ["applied", "rejected"] },
    upstreams: { type: "array", items: { type: "string" } },
    problems: { type: "array", items: { type: "string" } },
  }),
  CanaryTransitionEvent: closed({ upstream: { type: "string" }, ...transitionProperties }),
  CanaryAnalysisEvent: closed({
    upstream: { type: "string" },
    ...analysisProperties,
    failures: count,
    idleIntervals: count,
  }),
  ChangeEvent: closed({
    at: time,
    who: { type: "string" },
    action: { type: "string" },
    upstream: { type: "string" },
    backend: nullable("string"),
    change: { type: "object" },
  }),
};

/** Schema name of each stream event's `data:` payload, by `event:` name. */
export const STREAM_EVENT_SCHEMAS = {
  snapshot: "SnapshotEvent",
  health: "HealthEvent",
  ejection: "EjectionEvent",
  members: "MembersEvent",
  reload: "ReloadEvent",
  canary: "CanaryTransitionEvent",
  analysis: "CanaryAnalysisEvent",
  change: "ChangeEvent",
} as const;

const json = (schema: string): Json => ({ "application/json": { schema: ref(schema) } });
const errors = (...statuses: number[]): Record<string, Json> =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { description: ERROR_TEXT[s] ?? "error", content: json("Error") }]),
  );

const ERROR_TEXT: Record<number, string> = {
  400: "Bad input: malformed JSON, a wrong type, a value out of range, an unknown key (`TRACEWAY_ERR_ADMIN_BAD_INPUT`). Nothing changed.",
  401: "Missing or wrong Bearer token (`TRACEWAY_ERR_ADMIN_UNAUTHORIZED`).",
  404: "Unknown upstream (`TRACEWAY_ERR_UNKNOWN_UPSTREAM`), backend (`TRACEWAY_ERR_UNKNOWN_BACKEND`) or no canary (`TRACEWAY_ERR_NO_CANARY`). Nothing changed.",
  409: "The canary's phase does not allow the action (`TRACEWAY_ERR_CANARY_CONFLICT`). Nothing changed.",
  413: "Body larger than 16 KiB (`TRACEWAY_ERR_ADMIN_BAD_INPUT`).",
  415: "Body is not `application/json` (`TRACEWAY_ERR_ADMIN_BAD_INPUT`).",
};

const upstreamParam: Json = {
  name: "upstream",
  in: "path",
  required: true,
  schema: { type: "string" },
  description: "Upstream name from the config.",
};
const backendParam: Json = {
  name: "backend",
  in: "path",
  required: true,
  schema: { type: "string" },
  description: "The backend's `host:port` (its `name`), or its URL-encoded origin.",
};

const canaryPost = (summary: string, description: string): Json => ({
  summary,
  description,
  security: [{ bearer: [] }],
  responses: {
    "200": { description: "The canary after the change.", content: json("Canary") },
    ...errors(401, 404, 409),
  },
});

/** The document served at `/api/v1/openapi.json`. */
export const openApiDocument: Json = {
  openapi: "3.1.0",
  info: {
    title: "traceway admin API",
    version: "1",
    description:
      "Runtime state and control of a traceway balancer: upstreams, backends, canaries, and a live event stream. Every write needs `Authorization: Bearer <token>`; reads too unless `admin.readAccess` is `loopback` and the client is on loopback. See docs/admin-api.md.",
  },
  servers: [{ url: "/" }],
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    schemas,
  },
  security: [{ bearer: [] }],
  paths: {
    "/api/v1/openapi.json": {
      get: {
        summary: "This document",
        security: [],
        responses: {
          "200": {
            description: "OpenAPI 3.1",
            content: { "application/json": { schema: { type: "object" } } },
          },
        },
      },
    },
    "/api/v1/upstreams": {
      get: {
        summary: "Every upstream with its backends and canary",
        responses: { "200": { description: "All upstreams", content: json("UpstreamList") }, ...errors(401) },
      },
    },
    "/api/v1/upstreams/{upstream}": {
      parameters: [upstreamParam],
      get: {
        summary: "One upstream",
        responses: { "200": { description: "The upstream", content: json("Upstream") }, ...errors(401, 404) },
      },
    },
    "/api/v1/upstreams/{upstream}/backends/{backend}": {
      parameters: [upstreamParam, backendParam],
      get: {
        summary: "One backend",
        responses: { "200": { description: "The backend", content: json("Backend") }, ...errors(401, 404) },
      },
      patch: {
        summary: "Change a backend's weight, drain it, or take it out of service",
        description:
          "All of the body or none of it is applied. The change holds until a config reload or discovery update changes this backend's declaration (weight, backup, metadata), or until DELETE .../override.",
        security: [{ bearer: [] }],
        requestBody: { required: true, content: json("BackendPatch") },
        responses: {
          "200": { description: "The backend after the change", content: json("BackendChange") },
          ...errors(400, 401, 404, 413, 415),
        },
      },
    },
    "/api/v1/upstreams/{upstream}/backends/{backend}/override": {
      parameters: [upstreamParam, backendParam],
      delete: {
        summary: "Clear the operator's change: back to the declared weight and in rotation",
        security: [{ bearer: [] }],
        responses: {
          "200": { description: "The backend after the reset", content: json("BackendChange") },
          ...errors(401, 404),
        },
      },
    },
    "/api/v1/upstreams/{upstream}/canary": {
      parameters: [upstreamParam],
      get: {
        summary: "The upstream's canary: phase, step, share, analyses and transitions",
        responses: { "200": { description: "The canary", content: json("Canary") }, ...errors(401, 404) },
      },
      post: {
        summary: "Pause, resume or restart the canary",
        description:
          "pause: hold the current step (analysis continues, and a failed analysis still rolls back); resume: continue a paused canary, or a halted one from its step; restart: a new run from the first step.",
        security: [{ bearer: [] }],
        requestBody: { required: true, content: json("CanaryAction") },
        responses: {
          "200": { description: "The canary after the change", content: json("Canary") },
          ...errors(400, 401, 404, 409, 413, 415),
        },
      },
    },
    "/api/v1/upstreams/{upstream}/canary/promote": {
      parameters: [upstreamParam],
      post: canaryPost(
        "Promote the canary now: its backends become the stable set",
        "Allowed while progressing, paused or awaiting promotion.",
      ),
    },
    "/api/v1/upstreams/{upstream}/canary/abort": {
      parameters: [upstreamParam],
      post: canaryPost(
        "Roll the canary back now: share 0, in-flight requests finish",
        "Allowed in any phase but rolled_back.",
      ),
    },
    "/api/v1/events": {
      get: {
        summary: "Live event stream (Server-Sent Events)",
        description:
          "`text/event-stream`. Each message has `event:` (a key of x-events), `id:` (increasing, also across restarts: each process counts on from its start time, so a `Last-Event-ID` from an earlier process replays everything kept) and one `data:` line of JSON. On connect: the recent discrete events (or those after `Last-Event-ID`), then a `snapshot`; then a `snapshot` every second and each other event as it happens. A comment line every 15 s keeps proxies from closing the stream.",
        responses: {
          "200": {
            description: "The stream",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          ...errors(401),
        },
        "x-events": Object.fromEntries(
          Object.entries(STREAM_EVENT_SCHEMAS).map(([event, schema]) => [event, ref(schema)]),
        ),
      },
    },
  },
};
