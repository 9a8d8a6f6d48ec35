import type { IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export const PROBE_USER_AGENT = "traceway-health/1";

/** What one probe saw: a status line, or why there was none (`ECONNREFUSED`, `timeout after 1000ms`). */
export type ProbeResult = { readonly status: number } | { readonly error: string };

const ignore = (): void => {};

/**
 * One `GET` to `url` on a fresh connection (`Connection: close`, no agent), so every probe also
 * proves the backend still accepts connections (HAProxy checks the same way) and no socket
 * outlives the probe. The verdict is taken at the status line; the body is not read.
 *
 * `timeoutMs` bounds the whole probe (DNS, connect, headers) on a real timer: a probe is real
 * I/O. Never rejects; aborting `signal` settles it with `{ error: "aborted" }`.
 */
export function probeHttp(url: URL, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    if (signal.aborted) {
      resolve({ error: "aborted" });
      return;
    }
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(url, {
      method: "GET",
      agent: false,
      headers: { host: url.host, "user-agent": PROBE_USER_AGENT, connection: "close", accept: "*/*" },
    });
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      req.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ error: "aborted" });
    const timer = setTimeout(() => finish({ error: `timeout after ${timeoutMs}ms` }), timeoutMs);
    signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
    req.on("response", (res: IncomingMessage) => {
      // Destroying an unfinished response emits "error"; nobody else listens, so swallow it here.
      res.on("error", ignore);
      finish({ status: res.statusCode ?? 0 });
      res.destroy();
    });
    req.end();
  });
}
