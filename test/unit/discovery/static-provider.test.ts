import assert from "node:assert/strict";
import { test } from "node:test";
import type { BackendSpec } from "../../../src/config/types.ts";
import { staticProvider } from "../../../src/discovery/static-provider.ts";
import { testUpstream } from "../../helpers/test-config.ts";

void test("the static provider reports each upstream's full backend set from the config", async () => {
  const api = testUpstream("api", ["http://127.0.0.1:8001", "http://127.0.0.1:8002"]);
  const web = testUpstream("web", ["http://127.0.0.1:9001"]);
  const seen = new Map<string, readonly BackendSpec[]>();
  // One provider per upstream, as the upstream registry makes them.
  const providers = [staticProvider(api), staticProvider(web)];
  for (const provider of providers)
    await provider.start((upstream, backends) => seen.set(upstream, backends));
  for (const provider of providers) assert.equal(provider.name, "static");
  assert.deepEqual([...seen.keys()], ["api", "web"]);
  assert.deepEqual(
    seen.get("api")?.map((b) => b.url),
    ["http://127.0.0.1:8001", "http://127.0.0.1:8002"],
  );
  for (const provider of providers) await provider.stop();
});
