import type { ServerResponse } from "node:http";
import type { TracewayError } from "../errors.ts";

/** Writes a traceway error as JSON, unless the response has already started. */
export function sendError(res: ServerResponse, error: TracewayError, retryAfterSeconds?: number): void {
  if (res.headersSent) {
    // Too late for a status: cut the connection so the client sees a truncated response.
    res.destroy();
    return;
  }
  const body = JSON.stringify(error.toJSON());
  res.statusCode = error.status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(body));
  res.setHeader("cache-control", "no-store");
  if (retryAfterSeconds !== undefined) res.setHeader("retry-after", String(retryAfterSeconds));
  res.end(body);
}
