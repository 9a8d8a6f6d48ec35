import { Writable } from "node:stream";
import { TracewayError } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type { Upstream } from "../upstream/upstream.ts";
import type { AttemptDeps } from "./attempt-context.ts";
import { runAttempts } from "./attempt-loop.ts";
import { releaseSlot } from "./backend-selector.ts";
import { DispatchedRequest } from "./dispatched-request.ts";
import type { DispatchRequest, DispatchResult } from "./dispatched-request.ts";
import { noopRequestObservation } from "./observer.ts";
import type { ProxyObserver } from "./observer.ts";
import type { UpstreamResponse } from "./transports/transport.ts";

export type { DispatchRequest, DispatchResult };

/** Body bytes of a failed response kept for the caller's error report (a DLQ header, a log line). */
export const MAX_ERROR_BODY_BYTES = 1024;

const EMPTY = Buffer.alloc(0);

/**
 * Sends in-process requests through an upstream exactly as client requests go: the same attempt
 * loop picks backends with the upstream's strategy and health, waits in its connection queue,
 * retries other backends as its `retry` says, and reports to the same observer (CLIENT spans,
 * metrics, access log). Only the two ends differ: the body is a buffer, and the response is read
 * here (a 2xx body is drained, any other's first bytes kept) instead of relayed to a client.
 */
export class UpstreamDispatcher {
  readonly #deps: AttemptDeps;
  readonly #observer: ProxyObserver;

  constructor(deps: AttemptDeps, observer: ProxyObserver) {
    this.#deps = deps;
    this.#observer = observer;
  }

  /** Resolves with the outcome; never rejects. `signal` abandons the dispatch (shutdown deadline). */
  async dispatch(
    upstream: Upstream,
    request: DispatchRequest,
    signal?: AbortSignal,
  ): Promise<DispatchResult> {
    const info = { method: request.method, route: request.route, upstream: upstream.name };
    const obs = this.#observer.onDispatch?.(info) ?? noopRequestObservation;
    const x = new DispatchedRequest(this.#deps, upstream, obs, request);
    const abort = (): void => x.abort();
    if (signal?.aborted) x.abort();
    signal?.addEventListener("abort", abort, { once: true });
    try {
      const response = await runAttempts(x);
      const backend = x.tried?.at(-1);
      if (response === undefined || backend === undefined) return failed(x);
      return await answered(x, response, backend);
    } finally {
      signal?.removeEventListener("abort", abort);
    }
  }
}

function failed(x: DispatchedRequest): DispatchResult {
  const error =
    x.error ??
    (x.clientGone
      ? new TracewayError("SHUTTING_DOWN", "dispatch abandoned")
      : new TracewayError("UPSTREAM_CONNECT", `upstream "${x.upstream.name}" failed`));
  const retries = Math.max(0, x.attempts - 1);
  x.obs.end({
    statusCode: error.status,
    retries,
    errorCode: error.code,
    bytesIn: x.bodyCounter.bytes,
    bytesOut: 0,
  });
  return { status: undefined, headers: {}, body: EMPTY, error, backend: undefined, retries };
}

async function answered(
  x: DispatchedRequest,
  response: UpstreamResponse,
  backend: Backend,
): Promise<DispatchResult> {
  const { status } = response;
  // Read outside the dispatch's context, as the forwarder relays: see RequestObservation.outside.
  const reading = (): Promise<Buffer> =>
    status >= 200 && status < 300 ? drain(response) : firstBytes(response, MAX_ERROR_BODY_BYTES);
  const body = await (x.obs.outside ? x.obs.outside(reading) : reading());
  releaseSlot(x.upstream, backend);
  const retries = x.attempts - 1;
  x.obs.end({
    statusCode: status,
    backend,
    retries,
    bytesIn: x.bodyCounter.bytes,
    bytesOut: response.bodyBytes,
  });
  return { status, headers: response.headers, body, error: undefined, backend: backend.label, retries };
}

function drain(response: UpstreamResponse): Promise<Buffer> {
  return new Promise((resolve) => response.discard(() => resolve(EMPTY)));
}

/** Reads the body to its end (or its failure), keeping the first `limit` bytes. */
function firstBytes(response: UpstreamResponse, limit: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    const done = (): void => resolve(Buffer.concat(chunks));
    const sink = new Writable({
      write(chunk: Buffer, _encoding, next) {
        if (kept < limit) {
          const part = chunk.subarray(0, limit - kept);
          chunks.push(part);
          kept += part.length;
        }
        next();
      },
    });
    sink.once("finish", done);
    response.relay(sink, done);
  });
}
