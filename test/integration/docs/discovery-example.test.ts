import assert from "node:assert/strict";
import { test } from "node:test";
import { runDocsExample } from "../../helpers/docs-example.ts";

void test("the docs/library.md discovery example runs as written against the package entry point", async () => {
  assert.equal(await runDocsExample("docs/library.md", "## Backends from your own registry"), "503 200 b");
});
