import assert from "node:assert/strict";
import { test } from "node:test";
import { runDocsExample } from "../../helpers/docs-example.ts";

void test("the docs/telemetry.md interceptors example carries traceway's trace to the service it calls", async () => {
  const out = await runDocsExample("docs/telemetry.md", "## Interceptors for your own services");
  const received = /^stock received 00-([0-9a-f]{32})-([0-9a-f]{16})-01$/m.exec(out);
  const client = /^CLIENT span GET ([0-9a-f]{32}) ([0-9a-f]{16})$/m.exec(out);
  assert.ok(received && client, out);
  assert.equal(received[1], "0af7651916cd43dd8448eb211c80319c", "the trace traceway started goes on");
  assert.equal(client[1], received[1]);
  assert.equal(received[2], client[2], "the called service's parent is the CLIENT span");
});
