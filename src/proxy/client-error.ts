import type { Duplex } from "node:stream";
import { TracewayError } from "../errors.ts";

/**
 * Answers a request Node's parser rejected, before it reaches routing: a JSON body naming what
 * was wrong, and the status nginx would use (431 for oversized headers, 408 for a request that
 * took too long, 400 otherwise). The connection is closed since the stream is no longer in sync.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const [status, reason] = statusFor(err.code);
  const error = new TracewayError("BAD_REQUEST", `malformed HTTP request: ${err.code ?? err.message}`);
  const body = JSON.stringify(error.toJSON());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function statusFor(code: string | undefined): [number, string] {
  if (code === "HPE_HEADER_OVERFLOW") return [431, "Request Header Fields Too Large"];
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return [408, "Request Timeout"];
  return [400, "Bad Request"];
}
