import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { TracewayError } from "../../../src/errors.ts";
import { answerClientError, sendSocketError } from "../../../src/proxy/error-writer.ts";

function written(write: (socket: PassThrough) => void): string {
  const socket = new PassThrough();
  write(socket);
  return String(socket.read());
}

void test("a raw-socket error's status line carries the reason phrase of its own status", () => {
  const lines = (
    ["NO_ROUTE", "NO_HEALTHY_BACKEND", "UPSTREAM_CONNECT", "UPSTREAM_TIMEOUT", "SHUTTING_DOWN"] as const
  ).map((kind) => written((s) => sendSocketError(s, new TracewayError(kind, "x"))).split("\r\n")[0]);
  assert.deepEqual(lines, [
    "HTTP/1.1 404 Not Found",
    "HTTP/1.1 503 Service Unavailable",
    "HTTP/1.1 503 Service Unavailable",
    "HTTP/1.1 504 Gateway Timeout",
    "HTTP/1.1 503 Service Unavailable",
  ]);
});

void test("the body and headers are those of every traceway error answer", () => {
  const text = written((s) => sendSocketError(s, new TracewayError("NO_ROUTE", "no route for upgrade")));
  const [head, body] = text.split("\r\n\r\n");
  assert.deepEqual(head?.split("\r\n").slice(1), [
    "content-type: application/json; charset=utf-8",
    `content-length: ${Buffer.byteLength(body ?? "")}`,
    "cache-control: no-store",
    "connection: close",
  ]);
  assert.deepEqual(JSON.parse(body ?? ""), {
    error: { code: "TRACEWAY_ERR_NO_ROUTE", message: "no route for upgrade" },
  });
});

void test("a 503 (no backend could take it) says when to retry; other statuses do not", () => {
  const headersOf = (kind: "NO_HEALTHY_BACKEND" | "UPSTREAM_CONNECT" | "UPSTREAM_TIMEOUT"): string[] =>
    (written((s) => sendSocketError(s, new TracewayError(kind, "x"))).split("\r\n\r\n")[0] ?? "")
      .split("\r\n")
      .filter((h) => h.startsWith("retry-after"));
  assert.deepEqual(headersOf("NO_HEALTHY_BACKEND"), ["retry-after: 1"]);
  assert.deepEqual(headersOf("UPSTREAM_CONNECT"), ["retry-after: 1"]);
  assert.deepEqual(headersOf("UPSTREAM_TIMEOUT"), []);
});

void test("parser errors: 431 for oversized headers, 408 for a slow request, 400 otherwise", () => {
  const statusOf = (code: string): string | undefined =>
    written((s) => answerClientError(Object.assign(new Error(code), { code }), s)).split("\r\n")[0];
  assert.deepEqual(["HPE_HEADER_OVERFLOW", "ERR_HTTP_REQUEST_TIMEOUT", "HPE_INVALID_METHOD"].map(statusOf), [
    "HTTP/1.1 431 Request Header Fields Too Large",
    "HTTP/1.1 408 Request Timeout",
    "HTTP/1.1 400 Bad Request",
  ]);
});
