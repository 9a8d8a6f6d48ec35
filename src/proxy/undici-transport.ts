import type { IncomingHttpHeaders } from "node:http";
import { PassThrough } from "node:stream";
import { Pool } from "undici";
import type { Backend } from "../pool/backend.ts";
import { classifyUpstreamError, UpstreamTimeoutError } from "./error-classify.ts";
import type { AttemptOutcome, AttemptRequest, RunningAttempt, Transport } from "./upstream-attempt.ts";

/** undici rejects these request headers outright; `expect` was already answered by Node's server. */
const REFUSED_BY_UNDICI = ["expect"] as const;

/** Errors that mean the request never left for the backend, so even a POST may go elsewhere. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);

/**
 * Upstream requests made with undici (`server.transport: undici`): one keep-alive `Pool` per
 * backend. undici writes the body only on an established connection, so a connect failure
 * leaves it unread and the request can go to another backend, as with the other transports.
 */
export function createUndiciTransport(): Transport {
  const pools = new Map<string, Pool>();
  const poolFor = (backend: Backend, a: AttemptRequest): Pool => {
    const limits = a.keepAlive;
    let pool = pools.get(backend.id);
    if (!pool) {
      pool = new Pool(backend.id, {
        ...(limits.maxSockets > 0 ? { connections: limits.maxSockets } : {}),
        pipelining: 1,
        connect: { timeout: a.connectMs > 0 ? a.connectMs : 10_000 },
        headersTimeout: 0,
        bodyTimeout: a.idleMs,
      });
      pools.set(backend.id, pool);
    }
    return pool;
  };

  return {
    start(a: AttemptRequest): RunningAttempt {
      const controller = new AbortController();
      const headers = a.headers as IncomingHttpHeaders;
      for (const name of REFUSED_BY_UNDICI) delete headers[name];
      const { body, bodyCounter } = a;
      // undici destroys a request body whose request fails, and the client's body must survive
      // a connect failure for the next backend: undici gets a gate, which opens (the client's
      // body starts to flow into it) only when undici begins reading, on a connected socket.
      let gate: PassThrough | null = null;
      if (body) {
        const open = new PassThrough();
        open.once("resume", () => {
          body.on("data", (chunk: Buffer) => (bodyCounter.bytes += chunk.length));
          body.pipe(open);
        });
        gate = open;
      }
      // undici's own headersTimeout ticks at about one second; ours keeps sub-second values exact.
      // It counts from the start of the attempt (undici does not say when it connected), which
      // only differs from the other transports when a new connection has to be opened.
      let timedOut: UpstreamTimeoutError | undefined;
      const timer =
        a.responseMs > 0
          ? setTimeout(() => {
              timedOut = new UpstreamTimeoutError("response", a.responseMs);
              controller.abort(timedOut);
            }, a.responseMs)
          : undefined;
      const done: Promise<AttemptOutcome> = poolFor(a.backend, a)
        .request({
          path: a.path,
          method: a.method,
          headers: headers as Record<string, string | string[]>,
          body: gate,
          signal: controller.signal,
          headersTimeout: 0,
          bodyTimeout: a.idleMs,
        })
        .then(
          (response): AttemptOutcome => {
            clearTimeout(timer);
            return {
              kind: "response",
              status: response.statusCode,
              statusMessage: undefined,
              headers: response.headers,
              body: response.body,
              cancel: () => response.body.destroy(),
            };
          },
          (error: Error & { code?: string }): AttemptOutcome => {
            clearTimeout(timer);
            const cause = timedOut ?? undiciTimeout(error, a) ?? error;
            return {
              kind: "error",
              errorType: error.name === "HTTPParserError" ? "bad_response" : classifyUpstreamError(cause),
              error: cause,
              sent: !NOT_SENT.has(error.code ?? ""),
              bodyConsumed: body?.readableDidRead ?? false,
            };
          },
        );
      return { done, abort: () => controller.abort() };
    },
    connectionCount(): number {
      let n = 0;
      for (const pool of pools.values()) n += pool.stats.connected;
      return n;
    },
    retain(ids: ReadonlySet<string>): void {
      for (const [id, pool] of pools) {
        if (ids.has(id)) continue;
        pools.delete(id);
        // In-flight requests finish; the pool closes once they have.
        void pool.close();
      }
    },
    close(): void {
      for (const pool of pools.values()) void pool.destroy();
      pools.clear();
    },
  };
}

function undiciTimeout(error: { code?: string }, a: AttemptRequest): UpstreamTimeoutError | undefined {
  switch (error.code) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return new UpstreamTimeoutError("connect", a.connectMs);
    case "UND_ERR_HEADERS_TIMEOUT":
      return new UpstreamTimeoutError("response", a.responseMs);
    case "UND_ERR_BODY_TIMEOUT":
      return new UpstreamTimeoutError("idle", a.idleMs);
    default:
      return undefined;
  }
}
