import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ErrorCodes } from "../../../src/errors.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");

test("docs/proxying.md's error table lists every code a client can get, with the status src/errors.ts gives it", () => {
  const page = readFileSync(join(ROOT, "docs", "proxying.md"), "utf8");
  const documented = [...page.matchAll(/^\| `(TRACEWAY_ERR_[A-Z_]+)` +\| +(\d{3}) \|/gm)].map(
    ([, code, status]) => [code, Number(status)],
  );
  // Config errors are start-up failures, never an HTTP answer.
  const answered = Object.values(ErrorCodes)
    .filter(({ code }) => code !== "TRACEWAY_ERR_CONFIG_INVALID" && code !== "TRACEWAY_ERR_UNKNOWN_STRATEGY")
    .map(({ code, status }) => [code, status]);
  assert.deepEqual(documented, answered);
});
