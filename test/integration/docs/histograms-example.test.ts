import assert from "node:assert/strict";
import { test } from "node:test";
import { runDocsExample } from "../../helpers/docs-example.ts";

void test("the docs/histograms.md example exports both requests by route template", async () => {
  const line = await runDocsExample("docs/histograms.md", "## Example");
  assert.match(line, /^http_server_request_duration_seconds_count\{.*http_route="\/orders\/:id".*\} 2$/);
  assert.match(line, /otel_scope_name="traceway\/interceptors\/http"/);
});
