import { STATUS_CODES, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { TracewayError } from "../errors.ts";

/**
 * Seconds every 503 tells clients to wait before trying again: about one health-check round, or
 * the time a connection refused by every backend may take to come back.
 */
export const RETRY_AFTER_SECONDS = 1;

/**
 * The one way traceway answers with an error, wherever it answers: a proxied request's response,
 * a request Node's parser refused, or a refused upgrade on a raw socket. Same JSON body, same
 * headers, and a status line whose reason phrase is the one for its status; a 503 (no backend
 * could take the request) also says when to retry.
 */
export function sendError(res: ServerResponse, error: TracewayError): void {
  if (res.headersSent) {
    // Too late for a status: cut the connection so the client sees a truncated response.
    res.destroy();
    return;
  }
  const body = JSON.stringify(error.toJSON());
  res.statusCode = error.status;
  res.setHeader("content-type", JSON_TYPE);
  res.setHeader("content-length", Buffer.byteLength(body));
  res.setHeader("cache-control", "no-store");
  if (error.status === 503) res.setHeader("retry-after", String(RETRY_AFTER_SECONDS));
  res.end(body);
}

/**
 * Answers on a raw socket that has no `ServerResponse` (an upgrade, a parse failure) and closes it,
 * since the stream may be out of sync. `status` defaults to the error's own.
 */
export function sendSocketError(socket: Duplex, error: TracewayError, status: number = error.status): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(error.toJSON());
  const retryAfter = status === 503 ? `retry-after: ${RETRY_AFTER_SECONDS}\r\n` : "";
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\ncontent-type: ${JSON_TYPE}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\n${retryAfter}` +
      `connection: close\r\n\r\n${body}`,
  );
}

/**
 * Answers a request Node's parser rejected, before it reaches routing: a body naming what was
 * wrong, with the status nginx would use (431 for oversized headers, 408 for a request that took
 * too long, 400 otherwise). The code stays `TRACEWAY_ERR_BAD_REQUEST` for all three.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): ClientErrorAnswer | undefined {
  // A request whose body turned out malformed may already have its response under way: an error
  // written after its first bytes would corrupt it, so the connection is cut instead. (Node's own
  // fallback makes the same check on the socket's in-flight response, `_httpMessage`.)
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || err.code === "ECONNRESET" || inFlight?.headersSent === true) {
    socket.destroy();
    return undefined;
  }
  const error = new TracewayError("BAD_REQUEST", `malformed HTTP request: ${err.code ?? err.message}`);
  const status = clientErrorStatus(err.code);
  sendSocketError(socket, error, status);
  return { status, code: error.code };
}

/** What {@link answerClientError} answered, for telemetry to count; undefined when it only closed. */
export interface ClientErrorAnswer {
  readonly status: number;
  readonly code: string;
}

export function clientErrorStatus(code: string | undefined): number {
  if (code === "HPE_HEADER_OVERFLOW") return 431;
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return 408;
  return 400;
}

const JSON_TYPE = "application/json; charset=utf-8";
