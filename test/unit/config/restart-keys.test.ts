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

/** The object a schema stands for, under its optional and pipe wrappers; undefined for a leaf. */
function objectOf(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodOptional) return objectOf(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodPipe) return objectOf(schema.in as z.ZodType);
  return undefined;
}

/** A section's keys; telemetry's one level further down, as its rows name them. */
function keysOf(section: "server" | "logging" | "telemetry" | "admin" | "kafka"): string[] {
  const shape = objectOf(configSchema.shape[section])?.shape ?? {};
  return Object.entries(shape).flatMap(([key, value]: [string, z.ZodType]) => {
    const inner = section === "telemetry" ? objectOf(value) : undefined;
    return inner
      ? Object.keys(inner.shape).map((leaf) => `${section}.${key}.${leaf}`)
      : [`${section}.${key}`];
  });
}

void test("docs/configuration.md#reload has a row for every server, logging, telemetry, admin and kafka key", () => {
  const page = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "configuration.md"), "utf8");
  const section = page.slice(page.indexOf("## Reload"), page.indexOf("## Validation rules"));
  const rowKeys = [...section.matchAll(/^\| ([^|]+)\|/gm)].flatMap(([, cell]) =>
    [...(cell ?? "").matchAll(/`([^`]+)`/g)].map(([, key]) => key ?? ""),
  );
  const covered = (key: string): boolean =>
    rowKeys.some((row) => row === key || (row.endsWith(".*") && key.startsWith(row.slice(0, -1))));
  const keys = (["server", "logging", "telemetry", "admin", "kafka"] as const).flatMap(keysOf);
  for (const key of ["admin.readAccess", "logging.format", "kafka.bridges"])
    assert.ok(keys.includes(key), `${key} among ${keys.join(", ")}`);
  assert.deepEqual(
    keys.filter((key) => !covered(key)),
    [],
  );
});
