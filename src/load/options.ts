/**
 * `traceway load` options as typed on the command line → a validated {@link LoadPlan}. Every
 * problem becomes a {@link LoadInputError} naming the option and the value, so the command can
 * print one line and exit 2 before any load is sent.
 */
import { accessSync, constants } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { parseDuration } from "../config/duration.ts";
import { LoadInputError } from "./input-error.ts";
import { buildRequest } from "./request-spec.ts";
import { parseThreshold } from "./thresholds.ts";
import type { LoadMode, LoadPlan, StatusRange } from "./types.ts";

/** Option values as commander hands them over (strings, repeatable ones as arrays). */
export interface RawLoadOptions {
  readonly mode?: string;
  readonly steps?: string;
  readonly rates?: string;
  readonly stepDuration: string;
  readonly warmup: string;
  readonly connections?: string;
  readonly workers?: string;
  readonly method: string;
  readonly header?: readonly string[];
  readonly body?: string;
  readonly timeout: string;
  readonly expectStatus: string;
  readonly threshold?: readonly string[];
  readonly abortOnFail?: boolean;
  readonly prometheus?: string;
  readonly prometheusMatch?: string;
  readonly report?: string;
  readonly json?: string;
  readonly insecure?: boolean;
  readonly progressInterval?: string;
}

export const DEFAULTS = {
  steps: "10,50,100,200,500",
  stepDuration: "10s",
  warmup: "5s",
  /** Open model: connections are opened as needed up to this many. */
  connections: 1000,
  method: "GET",
  timeout: "10s",
  expectStatus: "200-399",
} as const;

/** One worker comfortably writes this many requests/s; below it, extra threads only add noise. */
const RATE_PER_WORKER = 2000;

export function parseLoadOptions(url: string, raw: RawLoadOptions): LoadPlan {
  try {
    return toPlan(url, raw);
  } catch (error) {
    if (error instanceof LoadInputError) throw error;
    throw new LoadInputError(error instanceof Error ? error.message : String(error));
  }
}

function toPlan(url: string, raw: RawLoadOptions): LoadPlan {
  const mode = parseMode(raw);
  const levels =
    mode === "connections"
      ? parseList("--steps", raw.steps ?? DEFAULTS.steps, "connection counts", true)
      : parseList("--rates", raw.rates ?? "", "request rates", false);
  const maxConnections =
    raw.connections === undefined ? DEFAULTS.connections : positiveInt("--connections", raw.connections);
  const maxLevel = Math.max(...levels);
  const cores = availableParallelism();
  const workers =
    raw.workers !== undefined
      ? positiveInt("--workers", raw.workers)
      : Math.max(
          1,
          Math.min(cores, mode === "connections" ? maxLevel : Math.ceil(maxLevel / RATE_PER_WORKER)),
        );
  const stepDurationMs = duration("--step-duration", raw.stepDuration, false);
  return {
    mode,
    levels,
    stepDurationMs,
    warmupMs: duration("--warmup", raw.warmup, true),
    maxConnections,
    workers,
    request: buildRequest({
      url,
      method: raw.method,
      headers: raw.header ?? [],
      body: raw.body,
      insecure: raw.insecure === true,
    }),
    timeoutMs: duration("--timeout", raw.timeout, false),
    expectStatus: parseStatusRanges(raw.expectStatus),
    thresholds: (raw.threshold ?? []).map((t) => parseThreshold(t)),
    abortOnFail: raw.abortOnFail === true,
    prometheus:
      raw.prometheus === undefined
        ? undefined
        : { url: prometheusUrl(raw.prometheus), match: raw.prometheusMatch ?? "" },
    reportHtml: outputPath("--report", raw.report),
    reportJson: outputPath("--json", raw.json),
    progressIntervalMs:
      raw.progressInterval === undefined
        ? undefined
        : duration("--progress-interval", raw.progressInterval, false),
  };
}

function parseMode(raw: RawLoadOptions): LoadMode {
  const mode = raw.mode ?? (raw.rates !== undefined ? "rate" : "connections");
  if (mode !== "connections" && mode !== "rate") {
    throw new LoadInputError(`--mode: ${JSON.stringify(mode)} is not a mode; use connections or rate`);
  }
  if (mode === "rate" && raw.steps !== undefined) {
    throw new LoadInputError(
      "--steps sets connection counts; in --mode rate give the request rates with --rates",
    );
  }
  if (mode === "connections" && raw.rates !== undefined) {
    throw new LoadInputError(
      "--rates needs --mode rate (or leave --mode out); --mode connections takes --steps",
    );
  }
  if (mode === "rate" && raw.rates === undefined) {
    throw new LoadInputError("--mode rate needs --rates, e.g. --rates 1000,5000,10000 (requests per second)");
  }
  return mode;
}

function parseList(option: string, text: string, what: string, integers: boolean): number[] {
  const parts = text.split(",").map((p) => p.trim());
  const bad = parts.find((p) => !(integers ? /^\d+$/ : /^\d+(?:\.\d+)?$/).test(p) || Number(p) <= 0);
  if (bad !== undefined || parts.length === 0) {
    throw new LoadInputError(
      `${option}: ${JSON.stringify(bad ?? text)} in ${JSON.stringify(text)} is not one of a list of ${what} (e.g. ${integers ? "100,500,1000" : "1000,5000,10000"})`,
    );
  }
  return parts.map(Number);
}

function positiveInt(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new LoadInputError(`${option}: ${JSON.stringify(text)} is not a positive whole number`);
  }
  return Number(text);
}

function duration(option: string, text: string, zeroAllowed: boolean): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new LoadInputError(`${option}: ${parsed.message}`);
  if (!zeroAllowed && parsed.value <= 0) throw new LoadInputError(`${option}: must be longer than 0`);
  return parsed.value;
}

/** `200-399`, `200,201,404`, `2xx,404`. */
export function parseStatusRanges(text: string): StatusRange[] {
  return text.split(",").map((part) => {
    const p = part.trim().toLowerCase();
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(p) ?? /^([1-5])xx$/.exec(p);
    if (m === null) {
      throw new LoadInputError(
        `--expect-status: ${JSON.stringify(part)} is not a status, range or class (e.g. 200-399,404 or 2xx)`,
      );
    }
    if (p.endsWith("xx")) return { min: Number(m[1]) * 100, max: Number(m[1]) * 100 + 99 };
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : Number(m[2]);
    if (min < 100 || max > 599 || max < min)
      throw new LoadInputError(`--expect-status: ${JSON.stringify(part)} is not a range within 100-599`);
    return { min, max };
  });
}

function prometheusUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new LoadInputError(
      `--prometheus: ${JSON.stringify(text)} is not a URL (e.g. http://127.0.0.1:9090)`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new LoadInputError(`--prometheus: ${JSON.stringify(text)} is not an http(s) URL`);
  }
  return url.href.replace(/\/+$/, "");
}

/** Checked before the run, so a long run is not lost to a report that cannot be written. */
function outputPath(option: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const file = resolve(path);
  try {
    accessSync(dirname(file), constants.W_OK);
  } catch {
    throw new LoadInputError(
      `${option}: cannot write ${JSON.stringify(path)}: folder ${dirname(file)} is missing or not writable`,
    );
  }
  return file;
}
