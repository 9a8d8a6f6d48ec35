import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { CanaryView } from "../../../src/admin/api-types.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad } from "../../helpers/load-loop.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { adminGet, canaryYaml } from "./canary-fixture.ts";

// stickiness: "cookie:tw_canary": the first response places a client on a side with a cookie, and
// a client that sends it back stays on that side through the whole step, while clients without
// the cookie are split by the step's share. The override header forces a side for testers.

const CLIENTS = 40;
const ROUNDS = 10;

let stable: TestBackend[];
let canary: TestBackend;
let traceway: TracewayCli;
let removeDir: () => Promise<void>;

before(async () => {
  stable = [await startBackend("stable-1"), await startBackend("stable-2")];
  canary = await startBackend("canary");
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  const yaml = canaryYaml(
    stable,
    `backends: [{ url: "${canary.url}" }]
steps: [25, 100]
interval: 1h
stickiness: "cookie:tw_canary"
header: x-canary`,
  );
  traceway = await startTracewayCli(join(dir, "traceway.yaml"), yaml);
});

after(async () => {
  await traceway?.stop();
  for (const b of [...(stable ?? []), canary]) await b?.kill();
  await removeDir?.();
});

async function get(
  headers: Record<string, string> = {},
): Promise<{ backend: string; cookie: string | null }> {
  const response = await fetch(traceway.url, { headers });
  await response.text();
  return { backend: response.headers.get("x-backend") ?? "", cookie: response.headers.get("set-cookie") };
}

test("a client with the cookie stays on its side through the step; new clients are split by the share", async () => {
  const view = await adminGet<CanaryView>(traceway.adminUrl!, "/api/v1/upstreams/api/canary");
  assert.equal(view.share, 25);

  const clients: { cookie: string; side: string }[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const first = await get();
    assert.ok(first.cookie, "the first response sets the stickiness cookie");
    const pair = first.cookie.split(";")[0]!;
    assert.match(pair, /^tw_canary=(canary|stable)\.[0-9a-f]{8}$/);
    assert.match(first.cookie, /Path=\/; HttpOnly; SameSite=Lax/);
    const side = first.backend === "canary" ? "canary" : "stable";
    assert.equal(
      pair.startsWith("tw_canary=canary.") ? "canary" : "stable",
      side,
      "the cookie names the side served",
    );
    clients.push({ cookie: pair, side });
  }
  const onCanary = clients.filter((c) => c.side === "canary").length;
  assert.equal(onCanary, CLIENTS / 4, "a quarter of the new clients were placed on the canary");

  // Cookie-less traffic in between keeps the split going; cookie holders never move.
  for (let round = 0; round < ROUNDS; round++) {
    const background = await runLoad({ url: traceway.url, count: 100, maxMs: 20_000, concurrency: 4 });
    assert.equal(background.filter((r) => r.backend === "canary").length, 25);
    for (const client of clients) {
      const answer = await get({ cookie: `other=1; ${client.cookie}` });
      assert.equal(answer.backend === "canary" ? "canary" : "stable", client.side);
      assert.equal(answer.cookie, null, "a placed client is not placed again");
    }
  }
  const still = await adminGet<CanaryView>(traceway.adminUrl!, "/api/v1/upstreams/api/canary");
  assert.equal(still.step, 0, "all of it within one step");
});

test("the override header forces a side; a cookie of another run is ignored", async () => {
  for (let i = 0; i < 20; i++) {
    assert.equal((await get({ "x-canary": "always" })).backend, "canary");
    assert.notEqual(
      (await get({ "x-canary": "never", cookie: "tw_canary=canary.00000000" })).backend,
      "canary",
    );
  }
  const stale = await get({ cookie: "tw_canary=canary.00000000" });
  assert.ok(stale.cookie, "a cookie from another run is replaced");
});
