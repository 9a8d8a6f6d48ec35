import assert from "node:assert/strict";
import { test } from "node:test";
import { runReadmeExample } from "../../helpers/docs-example.ts";

void test("the README library example runs as written against the package entry point", async () => {
  assert.equal(await runReadmeExample("## Library use"), "401 200 hello from the backend");
});
