import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyUpstreamError, UpstreamTimeoutError } from "../../../src/proxy/error-classify.ts";

const coded = (code: string): Error => Object.assign(new Error(code), { code });

void test("socket and timer errors sort into the five upstream error types", () => {
  const rows: [unknown, string][] = [
    [new UpstreamTimeoutError("connect", 100), "timeout"],
    [new UpstreamTimeoutError("idle", 100), "timeout"],
    [coded("ETIMEDOUT"), "timeout"],
    [coded("ECONNREFUSED"), "connect_error"],
    [coded("EHOSTUNREACH"), "connect_error"],
    [coded("ENETUNREACH"), "connect_error"],
    [coded("EADDRNOTAVAIL"), "connect_error"],
    [coded("ENOTFOUND"), "dns_error"],
    [coded("EAI_AGAIN"), "dns_error"],
    [coded("EAI_FAIL"), "dns_error"],
    [coded("HPE_INVALID_CONSTANT"), "bad_response"],
    [coded("ECONNRESET"), "reset"],
    [coded("EPIPE"), "reset"],
    [new Error("socket hang up"), "reset"],
    [undefined, "reset"],
  ];
  assert.deepEqual(
    rows.map(([err]) => classifyUpstreamError(err)),
    rows.map(([, type]) => type),
  );
});
