import assert from "node:assert/strict";
import { test } from "node:test";
import { runDocsExample } from "../../helpers/docs-example.ts";

void test("the docs/library.md example runs as written against the package entry point", async () => {
  assert.equal(
    await runDocsExample("docs/library.md", "## A balancer with your own middleware"),
    "401 200 hello from the backend",
  );
});
