/**
 * One request before any load, on the generator's own connection code: a URL that refuses,
 * does not resolve or never answers is bad input (exit 2), found in a second instead of after a
 * warm-up full of errors.
 */
import { Http1Connection } from "./http1-connection.ts";
import { LoadInputError } from "./input-error.ts";
import type { RequestSpec } from "./types.ts";

/** Transport errors that mean "nothing is there", as opposed to a target that is merely failing. */
export const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);

/** Resolves with the status of the first response; throws LoadInputError when there is none. */
export function preflight(request: RequestSpec, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const connection = new Http1Connection(
      request.target,
      request.bytes,
      request.noBody,
      (c, status, error) => {
        clearTimeout(timer);
        c.close();
        if (error === undefined) resolve(status);
        else reject(new LoadInputError(`${request.url} did not answer: ${describe(error, timeoutMs)}`));
      },
    );
    const timer = setTimeout(() => connection.abort("timeout"), timeoutMs);
    connection.send(performance.now());
  });
}

export function describe(error: string, timeoutMs: number): string {
  if (error === "ECONNREFUSED")
    return "connection refused (ECONNREFUSED); is the server running on that port?";
  if (error === "ENOTFOUND" || error === "EAI_AGAIN") return `host not found (${error})`;
  if (error === "timeout") return `no response within ${timeoutMs} ms (--timeout)`;
  if (error === "closed") return "the server closed the connection without answering";
  if (error === "bad_response") return "the answer was not HTTP/1.x";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(error)) {
    return `the server's TLS certificate is not trusted (${error}); --insecure skips the check`;
  }
  return error;
}
