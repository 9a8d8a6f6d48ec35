import assert from "node:assert/strict";
import { test } from "node:test";
import { runDocsExample } from "../../helpers/docs-example.ts";

void test("the docs/proxying.md diagnostics_channel example runs as written against the package entry point", async () => {
  assert.equal(
    await runDocsExample("docs/proxying.md", "## Diagnostics channels"),
    "attempt 200; request 200 retries=0",
  );
});
