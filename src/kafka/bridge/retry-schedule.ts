import type { IncomingHttpHeaders } from "node:http";
import type { BridgeRetryConfig } from "../../config/kafka-types.ts";
import type { Random } from "../../shared/clock.ts";

/** A `Retry-After` longer than this is taken as this: a misconfigured service must not park a key for days. */
export const RETRY_AFTER_CAP_MS = 300_000;

/**
 * The wait before the next try after `failedTries` counted failures (1 = after the first try):
 * `backoff × 2^(failedTries−1)` capped at `maxBackoff`, then "equal jitter" (a uniform draw from
 * its upper half), so keys that failed together do not retry together and no wait collapses to 0.
 */
export function backoffDelay(retry: BridgeRetryConfig, failedTries: number, random: Random): number {
  const exponent = Math.max(0, failedTries - 1);
  const base = Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** Math.min(exponent, 30));
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) in milliseconds from now: delay-seconds or an HTTP-date;
 * `undefined` when absent or malformed. Capped at {@link RETRY_AFTER_CAP_MS}.
 */
export function retryAfterMs(headers: IncomingHttpHeaders, nowEpochMs: number): number | undefined {
  // Repeated, undici hands over an array: the first one counts.
  const raw: unknown = headers["retry-after"];
  const first: unknown = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  if (typeof first !== "string") return undefined;
  const value = first.trim();
  if (value === "") return undefined;
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - nowEpochMs);
  }
  return Math.min(ms, RETRY_AFTER_CAP_MS);
}

/** The wait before a retry: the jittered backoff, or longer when the service asked for longer. */
export function retryDelay(backoffMs: number, askedMs: number | undefined): number {
  return askedMs === undefined ? backoffMs : Math.max(backoffMs, askedMs);
}
