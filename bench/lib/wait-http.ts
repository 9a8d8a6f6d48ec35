import { request } from "node:http";
import { setTimeout as delay } from "node:timers/promises";

/** Status of one GET, or the error message; never throws. */
export function probe(url: string, timeoutMs = 2000): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", (error) => resolve(error.message));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error) => resolve(error.message));
    req.end();
  });
}

/**
 * Polls `url` until it answers 200, `gaveUp()` returns a reason (the child exited), or the deadline
 * passes. Resolves to `undefined` on success, else to why it failed.
 */
export async function waitForHttp200(
  url: string,
  timeoutMs: number,
  gaveUp: () => string | undefined,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: number | string = "not tried";
  while (Date.now() < deadline) {
    const reason = gaveUp();
    if (reason !== undefined) return reason;
    last = await probe(url, Math.max(200, Math.min(2000, deadline - Date.now())));
    if (last === 200) return undefined;
    await delay(100);
  }
  return gaveUp() ?? `no 200 from ${url} within ${timeoutMs} ms (last: ${last})`;
}
