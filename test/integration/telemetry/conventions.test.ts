import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { before, test } from "node:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import { DataPointType } from "@opentelemetry/sdk-metrics";
import type { Histogram, MetricData } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
  METRIC_HTTP_CLIENT_REQUEST_DURATION,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from "@opentelemetry/semantic-conventions";
import {
  METRIC_OTEL_SDK_PROCESSOR_SPAN_PROCESSED,
  METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_CAPACITY,
  METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE,
} from "@opentelemetry/semantic-conventions/incubating";
import { CUSTOM_NAMES } from "../../../interceptors/semconv.ts";
import { markdownTable } from "../../helpers/markdown-block.ts";
import { semconvRegistry } from "../../helpers/semconv-registry.ts";
import { runHttpScenario, type HttpScenario } from "./http-scenario.ts";

// Every instrument and span the balancer produced in a scenario of every kind of request (a 200,
// a 500, a retried 503, a queued request, no route, a WebSocket upgrade, a parser rejection),
// checked against the HTTP semantic conventions: names and attribute keys against
// @opentelemetry/semantic-conventions (current, not deprecated), units, instrument types and
// requirement levels against http-metrics.md and http-spans.md; a traceway.* name must be in
// CUSTOM_NAMES with its reason. "Conventions" in docs/telemetry.md states the same.

interface MetricConvention {
  readonly type: DataPointType;
  readonly unit: string;
  /** Requirement level Required: on every point. */
  readonly required: readonly string[];
}

const SEMCONV_METRICS: Readonly<Record<string, MetricConvention>> = {
  [METRIC_HTTP_SERVER_REQUEST_DURATION]: {
    type: DataPointType.HISTOGRAM,
    unit: "s",
    required: [ATTR_HTTP_REQUEST_METHOD, ATTR_URL_SCHEME],
  },
  [METRIC_HTTP_CLIENT_REQUEST_DURATION]: {
    type: DataPointType.HISTOGRAM,
    unit: "s",
    required: [ATTR_HTTP_REQUEST_METHOD, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT],
  },
  // The span processor's own metrics, as the SDK records them (processed: after the first export).
  [METRIC_OTEL_SDK_PROCESSOR_SPAN_PROCESSED]: { type: DataPointType.SUM, unit: "{span}", required: [] },
  [METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_CAPACITY]: { type: DataPointType.SUM, unit: "{span}", required: [] },
  [METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE]: { type: DataPointType.SUM, unit: "{span}", required: [] },
};

/** The balancer's own metrics, with the units and types the docs/telemetry.md table gives them. */
const CUSTOM_METRICS: Readonly<Record<string, { readonly unit: string; readonly type: DataPointType }>> = {
  "traceway.upstream.requests.in_flight": { unit: "{request}", type: DataPointType.SUM },
  "traceway.upstream.queue.length": { unit: "{request}", type: DataPointType.SUM },
  "traceway.upstream.queue.wait.duration": { unit: "s", type: DataPointType.HISTOGRAM },
  "traceway.upstream.backend.up": { unit: "{backend}", type: DataPointType.SUM },
  "traceway.upstream.backend.transitions": { unit: "{transition}", type: DataPointType.SUM },
  "traceway.upstream.backend.ejections": { unit: "{ejection}", type: DataPointType.SUM },
  "traceway.upstream.retries": { unit: "{attempt}", type: DataPointType.SUM },
  "traceway.http.request.body": { unit: "By", type: DataPointType.SUM },
  "traceway.http.response.body": { unit: "By", type: DataPointType.SUM },
  "traceway.discovery.backends": { unit: "{backend}", type: DataPointType.GAUGE },
  "traceway.discovery.updates": { unit: "{update}", type: DataPointType.SUM },
  "traceway.discovery.errors": { unit: "{error}", type: DataPointType.SUM },
  "traceway.discovery.malformed_values": { unit: "{value}", type: DataPointType.SUM },
  "traceway.discovery.sync.age": { unit: "s", type: DataPointType.GAUGE },
  "traceway.discovery.stale": { unit: "{source}", type: DataPointType.SUM },
};
/** Emitted only by traffic this scenario does not make: a request body, no healthy backend. */
const NOT_IN_SCENARIO = new Set(["traceway.http.request.body", "traceway.requests.refused"]);

const registry = semconvRegistry();
const customMetrics = new Set(CUSTOM_NAMES.filter((n) => n.kind === "metric").map((n) => n.name));
const customAttributes = new Set(CUSTOM_NAMES.filter((n) => n.kind === "attribute").map((n) => n.name));
let s: HttpScenario;

before(async () => {
  s = await runHttpScenario();
});

function assertKnownKeys(where: string, attributes: Attributes): void {
  for (const key of Object.keys(attributes)) {
    if (key.startsWith("traceway.")) {
      assert.ok(customAttributes.has(key), `${where}: ${key} is not in CUSTOM_NAMES`);
      continue;
    }
    const known = registry.attributes.get(key);
    assert.ok(known, `${where}: ${key} is no semconv attribute`);
    assert.equal(known.deprecated, false, `${where}: ${key} (${known.constant}) is deprecated`);
  }
}

function metric(name: string): MetricData {
  const found = s.metrics.find((m) => m.descriptor.name === name);
  assert.ok(found, `${name} was recorded`);
  return found;
}

void test("every metric: a current semconv name or an allow-listed traceway.* one, with its unit and type", () => {
  const names = s.metrics.map((m) => m.descriptor.name).sort();
  const expected = [...Object.keys(SEMCONV_METRICS), ...Object.keys(CUSTOM_METRICS)].filter(
    (n) => !NOT_IN_SCENARIO.has(n),
  );
  assert.deepEqual(names, expected.sort(), "the scenario exercises every instrument (and nothing unlisted)");
  for (const name of [...customMetrics].filter((n) => !n.startsWith("traceway.messaging.")))
    assert.ok(name in CUSTOM_METRICS || NOT_IN_SCENARIO.has(name), `${name}: allow-listed and checked here`);
  for (const m of s.metrics) {
    const { name, unit } = m.descriptor;
    const convention = SEMCONV_METRICS[name] ?? CUSTOM_METRICS[name]!;
    if (name in SEMCONV_METRICS) {
      assert.equal(registry.metrics.get(name)?.deprecated, false, `${name} is a current semconv metric`);
    } else {
      assert.ok(name.startsWith("traceway.") && customMetrics.has(name), `${name} is not in CUSTOM_NAMES`);
    }
    assert.equal(unit, convention.unit, `${name} unit`);
    assert.equal(m.dataPointType, convention.type, `${name} instrument type`);
    assert.doesNotMatch(
      name,
      /(^|[._])(seconds|bytes|total|ratio|percent)($|[._])/,
      `${name}: no unit in the name`,
    );
    for (const point of m.dataPoints) assertKnownKeys(name, point.attributes);
  }
});

void test("http.server.request.duration: Required on every point, the conditional ones exactly where they apply", () => {
  for (const point of metric(METRIC_HTTP_SERVER_REQUEST_DURATION).dataPoints) {
    const a = point.attributes;
    const where = JSON.stringify(a);
    for (const key of SEMCONV_METRICS[METRIC_HTTP_SERVER_REQUEST_DURATION]!.required)
      assert.ok(a[key] !== undefined, `${where}: Required ${key}`);
    assert.match(String(a[ATTR_URL_SCHEME]), /^https?$/);
    const status = a[ATTR_HTTP_RESPONSE_STATUS_CODE];
    assert.equal(typeof status, "number", `${where}: a status was sent to every client here`);
    // Conditionally Required "if and only if available": routed requests have a template.
    assert.equal(
      a[ATTR_HTTP_ROUTE] !== undefined,
      a["traceway.upstream"] !== undefined,
      `${where}: http.route`,
    );
    if (a[ATTR_HTTP_ROUTE] !== undefined) assert.match(a[ATTR_HTTP_ROUTE] as string, /^\/.*\*$/);
    // Conditionally Required "if the request ended with an error": a server's errors are its 5xx.
    assert.equal(a[ATTR_ERROR_TYPE] !== undefined, (status as number) >= 500, `${where}: error.type`);
    // Recommended, known whenever the parser read a request line.
    const parsed = a[ATTR_HTTP_REQUEST_METHOD] !== HTTP_REQUEST_METHOD_VALUE_OTHER;
    assert.equal(a[ATTR_NETWORK_PROTOCOL_VERSION] !== undefined, parsed, `${where}: protocol version`);
    // Opt-In server.address: only the matched virtual host, bounded by the config.
    if (a[ATTR_SERVER_ADDRESS] !== undefined) assert.equal(a[ATTR_SERVER_ADDRESS], "api.example");
  }
});

void test("http.client.request.duration: Required on every point, status when received, error.type on ≥ 400", () => {
  for (const point of metric(METRIC_HTTP_CLIENT_REQUEST_DURATION).dataPoints) {
    const a = point.attributes;
    const where = JSON.stringify(a);
    for (const key of SEMCONV_METRICS[METRIC_HTTP_CLIENT_REQUEST_DURATION]!.required)
      assert.ok(a[key] !== undefined, `${where}: Required ${key}`);
    const status = a[ATTR_HTTP_RESPONSE_STATUS_CODE] as number;
    assert.equal(typeof status, "number", `${where}: every attempt here got a response`);
    assert.equal(
      a[ATTR_ERROR_TYPE] !== undefined,
      status >= 400,
      `${where}: a client's errors are its ≥ 400`,
    );
    assert.equal(a[ATTR_NETWORK_PROTOCOL_VERSION], "1.1");
  }
  const attempts = metric(METRIC_HTTP_CLIENT_REQUEST_DURATION).dataPoints.reduce(
    (n, p) => n + (p.value as Histogram).count,
    0,
  );
  assert.equal(attempts, 8, "one point per attempt: 6 requests, one retried, one upgrade");
});

function spans(kind: SpanKind): ReadableSpan[] {
  return s.spans.filter((span) => span.kind === kind);
}

void test("SERVER spans: named {method} {route}, Required, Conditionally Required and Recommended attributes", () => {
  const servers = spans(SpanKind.SERVER);
  assert.equal(servers.length, s.requests);
  for (const span of servers) {
    const a = span.attributes;
    const where = `${span.name} ${JSON.stringify(a)}`;
    assertKnownKeys(where, a);
    const method = String(a[ATTR_HTTP_REQUEST_METHOD]);
    const route = a[ATTR_HTTP_ROUTE];
    const prefix = method === HTTP_REQUEST_METHOD_VALUE_OTHER ? "HTTP" : method;
    assert.equal(span.name, route === undefined ? prefix : `${prefix} ${route as string}`);
    assert.ok(a[ATTR_URL_SCHEME], `${where}: Required url.scheme`);
    const parsed = method !== HTTP_REQUEST_METHOD_VALUE_OTHER;
    // Required url.path: a request the parser refused has none to give (a documented deviation).
    assert.equal(a[ATTR_URL_PATH] !== undefined, parsed, `${where}: url.path`);
    assert.equal(typeof a[ATTR_HTTP_RESPONSE_STATUS_CODE], "number");
    if (a[ATTR_SERVER_ADDRESS] !== undefined) assert.equal(typeof a[ATTR_SERVER_PORT], "number");
    for (const key of [ATTR_CLIENT_ADDRESS, ATTR_NETWORK_PEER_ADDRESS, ATTR_NETWORK_PEER_PORT])
      assert.ok(a[key] !== undefined, `${where}: Recommended ${key}`);
    if (parsed) {
      for (const key of [ATTR_NETWORK_PROTOCOL_VERSION, ATTR_SERVER_ADDRESS])
        assert.ok(a[key] !== undefined, `${where}: Recommended ${key}`);
    }
    assert.equal(a[ATTR_HTTP_REQUEST_METHOD_ORIGINAL], undefined, "every method here was sent as known");
    const failed = a[ATTR_ERROR_TYPE] !== undefined;
    assert.equal(failed, span.status.code === SpanStatusCode.ERROR, `${where}: status Error iff error.type`);
    assert.equal(failed, (a[ATTR_HTTP_RESPONSE_STATUS_CODE] as number) >= 500, `${where}: 4xx are no errors`);
  }
  const withQuery = servers.find((span) => span.attributes[ATTR_URL_QUERY] !== undefined);
  assert.equal(
    withQuery?.attributes[ATTR_URL_QUERY],
    "q=shoes&token=REDACTED",
    "Conditionally Required, redacted",
  );
  assert.equal(withQuery?.attributes[ATTR_USER_AGENT_ORIGINAL], "scenario/1", "Recommended when sent");
});

void test("CLIENT spans: one per attempt, named {method}, Required attributes, resend count on retries", () => {
  const clients = spans(SpanKind.CLIENT);
  assert.equal(clients.length, 8);
  for (const span of clients) {
    const a = span.attributes;
    const where = `${span.name} ${JSON.stringify(a)}`;
    assertKnownKeys(where, a);
    assert.equal(span.name, String(a[ATTR_HTTP_REQUEST_METHOD]));
    for (const key of [ATTR_HTTP_REQUEST_METHOD, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_URL_FULL])
      assert.ok(a[key] !== undefined, `${where}: Required ${key}`);
    assert.doesNotMatch(String(a[ATTR_URL_FULL]), /s3cr3t/, "url.full is redacted too");
    const failed = a[ATTR_ERROR_TYPE] !== undefined;
    assert.equal(failed, span.status.code === SpanStatusCode.ERROR, `${where}: status Error iff error.type`);
    assert.equal(failed, (a[ATTR_HTTP_RESPONSE_STATUS_CODE] as number) >= 400, `${where}: error.type`);
  }
  assert.deepEqual(
    clients.map((c) => c.attributes[ATTR_HTTP_REQUEST_RESEND_COUNT]).filter((n) => n !== undefined),
    [1],
    "Recommended if and only if the request was retried",
  );
});

const DOCS = fileURLToPath(new URL("../../../docs/telemetry.md", import.meta.url));

void test("docs/telemetry.md Conventions: a row per instrument with its unit; the allow-list is CUSTOM_NAMES", () => {
  const rows = new Map(
    markdownTable(DOCS, "## Conventions").map(([name = "", type = "", unit = ""]) => [
      /`([^`]+)`/.exec(name)?.[1] ?? name,
      { type, unit: unit.replaceAll("`", "") },
    ]),
  );
  for (const m of s.metrics) {
    assert.equal(
      rows.get(m.descriptor.name)?.unit,
      m.descriptor.unit,
      `${m.descriptor.name}: its row and unit`,
    );
  }
  for (const name of CUSTOM_NAMES.filter((n) => n.kind === "metric").map((n) => n.name))
    assert.ok(rows.has(name), `${name} has a row`);
  const allowList = markdownTable(DOCS, "### Allow-listed names").map(([name = "", kind, reason]) => ({
    name: name.replaceAll("`", ""),
    kind,
    reason,
  }));
  assert.deepEqual(
    allowList,
    CUSTOM_NAMES.map(({ name, kind, reason }) => ({ name, kind, reason })),
  );
});
