/**
 * The admin API's event stream, kept open: fetch streaming (EventSource cannot send a Bearer
 * token), exponential backoff with jitter between attempts, and a watchdog, because a stream that
 * goes quiet (a half-open connection) never ends by itself while the server sends a snapshot
 * every second.
 *
 * It sends no `Last-Event-ID`: event ids restart with the traceway process, and an id from before
 * a restart would make the new process skip its own first events. Each connection gets the
 * server's recent events again instead, and the event log drops the ones it already shows.
 */
import { createSseParser } from "./sse-parser.js";

/** @import { SseMessage } from "./sse-parser.js" */

/**
 * @typedef {object} StreamStatus
 * @property {"connecting" | "live" | "down" | "unauthorized"} state
 * @property {string} [reason] why it is down or unauthorized
 * @property {number} [retryAt] epoch ms of the next attempt, when down
 * @property {number} [failures] consecutive failed attempts, when down
 * @property {boolean} [hadToken] whether the refused request carried a token, when unauthorized
 */

/** First retry after this, doubling per failed attempt up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 5000;
/** The server sends a snapshot every second; this much silence means the connection is dead. */
const STALL_MS = 5000;

/**
 * Delay before attempt `failures + 1`: doubling from 0.5 s to at most 5 s, ±20% jitter so a
 * restarted balancer is not hit by every open page in the same millisecond.
 * @param {number} failures at least 1
 */
export function backoffMs(failures) {
  const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1));
  return Math.round(base * (0.8 + 0.4 * Math.random()));
}

/**
 * @typedef {object} StreamOptions
 * @property {string} url
 * @property {() => string | null} token the Bearer token to send, if any
 * @property {(message: SseMessage) => void} onMessage
 * @property {(status: StreamStatus) => void} onStatus
 */

/**
 * Opens the stream and keeps it open until the page goes away.
 * @param {StreamOptions} options
 * @returns {{ retryNow(): void }} retryNow: skip the wait (after a new token, or the user asked)
 */
export function openEventStream(options) {
  let wake = () => {};

  /** @param {number | null} ms null: until retryNow (a timer cannot wait forever: it fires at once) */
  const pause = (ms) =>
    new Promise((resolve) => {
      const timer = ms === null ? undefined : setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve(undefined);
      };
    });

  async function run() {
    let failures = 0;
    for (;;) {
      options.onStatus({ state: "connecting" });
      const hadToken = options.token() !== null;
      const outcome = await connectOnce(options);
      if (outcome.unauthorized) {
        options.onStatus({ state: "unauthorized", reason: outcome.reason, hadToken });
        await pause(null);
        failures = 0;
        continue;
      }
      failures = outcome.delivered ? 1 : failures + 1;
      const delay = backoffMs(failures);
      options.onStatus({ state: "down", reason: outcome.reason, retryAt: Date.now() + delay, failures });
      await pause(delay);
    }
  }

  void run();
  return { retryNow: () => wake() };
}

/**
 * One connection, read until it ends. Never throws: every way it ends is an outcome.
 * @param {StreamOptions} options
 * @returns {Promise<{ reason: string, delivered: boolean, unauthorized?: boolean }>}
 */
async function connectOnce(options) {
  const controller = new AbortController();
  let delivered = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let watchdog;
  const arm = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => controller.abort(new Error(`no data for ${STALL_MS / 1000} s`)), STALL_MS);
  };
  try {
    const headers = new Headers({ accept: "text/event-stream" });
    const token = options.token();
    if (token !== null) headers.set("authorization", `Bearer ${token}`);
    arm();
    const response = await fetch(options.url, { headers, cache: "no-store", signal: controller.signal });
    if (response.status === 401) {
      return { reason: await errorMessage(response), delivered, unauthorized: true };
    }
    if (!response.ok || response.body === null) {
      return { reason: `HTTP ${response.status}: ${await errorMessage(response)}`, delivered };
    }
    const parser = createSseParser((message) => {
      if (!delivered) {
        delivered = true;
        options.onStatus({ state: "live" });
      }
      options.onMessage(message);
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { reason: "the server ended the stream", delivered };
      arm();
      parser.push(value);
    }
  } catch (error) {
    /** @type {unknown} */
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    return { reason: reason instanceof Error ? reason.message : String(reason), delivered };
  } finally {
    clearTimeout(watchdog);
    controller.abort();
  }
}

/**
 * The admin API's `{error: {message}}`, or the status text when the body is not that.
 * @param {Response} response
 */
async function errorMessage(response) {
  try {
    /** @type {unknown} */
    const body = await response.json();
    const message = /** @type {{ error?: { message?: unknown } } | null} */ (body)?.error?.message;
    if (typeof message === "string") return message;
  } catch {
    // not JSON: fall through to the status text
  }
  return response.statusText || `status ${response.status}`;
}
