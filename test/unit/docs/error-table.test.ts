import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ErrorCodes } from "../../../src/errors.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");

// src/errors.ts declares the admin API's codes last, from ADMIN_UNAUTHORIZED on.
const kinds = Object.keys(ErrorCodes) as (keyof typeof ErrorCodes)[];
const firstAdmin = kinds.indexOf("ADMIN_UNAUTHORIZED");
const codes = (from: number, to?: number): [string, number][] =>
  kinds.slice(from, to).map((kind) => [ErrorCodes[kind].code, ErrorCodes[kind].status]);
const byStatusThenCode = (a: [string, number], b: [string, number]): number =>
  a[1] - b[1] || a[0].localeCompare(b[0]);

test("docs/proxying.md's error table lists every code a client can get, with the status src/errors.ts gives it", () => {
  const page = readFileSync(join(ROOT, "docs", "proxying.md"), "utf8");
  const documented = [...page.matchAll(/^\| `(TRACEWAY_ERR_[A-Z_]+)` +\| +(\d{3}) \|/gm)].map(
    ([, code, status]) => [code, Number(status)],
  );
  // Config errors are start-up failures, never an HTTP answer.
  const answered = codes(0, firstAdmin).filter(
    ([code]) => code !== "TRACEWAY_ERR_CONFIG_INVALID" && code !== "TRACEWAY_ERR_UNKNOWN_STRATEGY",
  );
  assert.deepEqual(documented, answered);
});

test("docs/admin-api.md's error table lists every code the admin API answers with, with its status", () => {
  const page = readFileSync(join(ROOT, "docs", "admin-api.md"), "utf8");
  const documented = [...page.matchAll(/^\| (\d{3}) +\| `(TRACEWAY_ERR_[A-Z_]+)` +\|/gm)].map(
    ([, status, code]): [string, number] => [code ?? "", Number(status)],
  );
  assert.deepEqual(documented.toSorted(byStatusThenCode), codes(firstAdmin).toSorted(byStatusThenCode));
});
