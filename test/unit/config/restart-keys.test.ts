import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as z from "zod";
import { parseConfigText } from "../../../src/config/load.ts";
import {
  BALANCER_RESTART_KEYS,
  restartNeeded,
  TELEMETRY_RESTART_KEYS,
} from "../../../src/config/restart-keys.ts";
import { configSchema } from "../../../src/config/schema.ts";
import type { TracewayConfig } from "../../../src/config/types.ts";

const parse = (text: string): TracewayConfig => parseConfigText(text, { env: {} }).config;
const base = `upstreams: { api: { backends: [{ url: "http://127.0.0.1:8001" }] } }\n`;
const keys = [...BALANCER_RESTART_KEYS, ...TELEMETRY_RESTART_KEYS];

void test("a reload that changes only live keys needs no restart", () => {
  const running = parse(base);
  const next = parse(
    `${base}server: { trustedProxies: ["10.0.0.0/8"], forwarded: true, shutdownTimeout: 5s, headersTimeout: 10s }\n` +
      "logging: { level: debug }\n" +
      `admin: { listen: "127.0.0.1:9902", token: "${"t".repeat(16)}", readAccess: loopback }\n`,
  );
  assert.deepEqual(restartNeeded(keys, running, next), []);
});

void test("each restart-only key that changed is named with both values", () => {
  const running = parse(base);
  const next = parse(
    `${base}server: { listen: "127.0.0.1:9090", transport: http-proxy }\n` +
      `telemetry: { serviceName: edge, prometheus: { listen: "127.0.0.1:9500", path: /m }, traces: { otlpEndpoint: "http://127.0.0.1:4318/v1/traces", sampleRatio: 0.5 } }\n` +
      "logging: { accessLog: false, format: ecs }\n",
  );
  const stays = "the running configuration stays in force";
  assert.deepEqual(restartNeeded(keys, running, next), [
    {
      path: "server.listen",
      message: `changes need a restart (running "0.0.0.0:8080", file "127.0.0.1:9090"); ${stays}`,
    },
    {
      path: "server.transport",
      message: `changes need a restart (running "undici", file "http-proxy"); ${stays}`,
    },
    {
      path: "telemetry.serviceName",
      message: `changes need a restart (running "traceway", file "edge"); ${stays}`,
    },
    {
      path: "telemetry.prometheus.listen",
      message: `changes need a restart (running "127.0.0.1:9464", file "127.0.0.1:9500"); ${stays}`,
    },
    {
      path: "telemetry.prometheus.path",
      message: `changes need a restart (running "/metrics", file "/m"); ${stays}`,
    },
    {
      path: "telemetry.traces.enabled",
      message: `changes need a restart (running false, file true); ${stays}`,
    },
    {
      path: "telemetry.traces.otlpEndpoint",
      message: `changes need a restart (running "", file "http://127.0.0.1:4318/v1/traces"); ${stays}`,
    },
    {
      path: "telemetry.traces.sampleRatio",
      message: `changes need a restart (running 1, file 0.5); ${stays}`,
    },
    { path: "logging.accessLog", message: `changes need a restart (running true, file false); ${stays}` },
    { path: "logging.format", message: `changes need a restart (running "json", file "ecs"); ${stays}` },
  ]);
});

void test("docs/configuration.md#reload refuses exactly these keys, and telemetry.* means every telemetry key", () => {
  const page = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "configuration.md"), "utf8");
  const section = page.slice(page.indexOf("## Reload"), page.indexOf("## Validation rules"));
  const refused = [...section.matchAll(/^\| `([^`]+)`[^|]*\| \*\*Refused: needs a restart\*\*/gm)].map(
    ([, key]) => key,
  );
  const listed = keys.map((k) => (k.path.startsWith("telemetry.") ? "telemetry.*" : k.path));
  assert.deepEqual(refused.sort(), [...new Set(listed)].sort());
  // Every telemetry key the file accepts is among the restart keys.
  const telemetry = configSchema.shape.telemetry.unwrap().shape;
  const telemetryKeys = Object.entries(telemetry).flatMap(([key, value]) => {
    const inner: z.ZodType = value.unwrap();
    return inner instanceof z.ZodObject
      ? Object.keys(inner.shape as object).map((leaf) => `telemetry.${key}.${leaf}`)
      : [`telemetry.${key}`];
  });
  assert.deepEqual(
    telemetryKeys.sort(),
    TELEMETRY_RESTART_KEYS.filter((k) => k.path.startsWith("telemetry."))
      .map((k) => k.path)
      .sort(),
  );
});

/** The keys of a schema section's object, one level down where a key is itself an object. */
function leavesOf(section: string, shape: Record<string, z.ZodType>): string[] {
  return Object.entries(shape).flatMap(([key, value]) => {
    let inner: z.ZodType = value;
    while (inner instanceof z.ZodOptional || inner instanceof z.ZodPipe) {
      inner = inner instanceof z.ZodOptional ? (inner.unwrap() as z.ZodType) : (inner.in as z.ZodType);
    }
    return inner instanceof z.ZodObject && section === "telemetry"
      ? Object.keys(inner.shape as object).map((leaf) => `${section}.${key}.${leaf}`)
      : [`${section}.${key}`];
  });
}

void test("docs/configuration.md#reload has a row for every server, logging, telemetry and admin key", () => {
  const page = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "configuration.md"), "utf8");
  const section = page.slice(page.indexOf("## Reload"), page.indexOf("## Validation rules"));
  const rowKeys = [...section.matchAll(/^\| ([^|]+)\|/gm)].flatMap(([, cell]) =>
    [...(cell ?? "").matchAll(/`([^`]+)`/g)].map(([, key]) => key ?? ""),
  );
  const covered = (key: string): boolean =>
    rowKeys.some((row) => row === key || (row.endsWith(".*") && key.startsWith(row.slice(0, -1))));
  const shape = configSchema.shape;
  const sections: [string, z.ZodType][] = [
    ["server", shape.server],
    ["logging", shape.logging],
    ["telemetry", shape.telemetry],
    ["admin", shape.admin],
  ];
  const keys = sections.flatMap(([name, schema]) => {
    let inner: z.ZodType = schema;
    while (!(inner instanceof z.ZodObject)) {
      if (inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
      else if (inner instanceof z.ZodPipe) inner = inner.in as z.ZodType;
      else throw new Error(`${name}: unexpected schema ${inner.constructor.name}`);
    }
    return leavesOf(name, inner.shape as Record<string, z.ZodType>);
  });
  assert.ok(keys.includes("admin.readAccess") && keys.includes("logging.format"), keys.join(", "));
  assert.deepEqual(
    keys.filter((key) => !covered(key)),
    [],
  );
});
