import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { CanaryView } from "../../../src/admin/api-types.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad } from "../../helpers/load-loop.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { adminCall, codeOf, TOKEN } from "./admin-fixture.ts";

// A reload keeps the admin listener and the canaries consistent with the new file: new tokens
// apply at once, a canary with the same set keeps its run under new settings, a removed canary
// stops and gets no traffic, a removed admin block closes the listener; SIGTERM exits cleanly.

const NEW_TOKEN = "rotated-token-0123456789abcdef";
let stable: TestBackend;
let canary: TestBackend;
let traceway: TracewayCli;
let removeDir: () => Promise<void>;

function yaml(token: string, canaryBlock: string, admin = true): string {
  return `server: { listen: "127.0.0.1:0" }
${admin ? `admin: { listen: "127.0.0.1:0", token: "${token}" }` : ""}
telemetry: { prometheus: { enabled: false } }
logging: { level: info, accessLog: false }
upstreams:
  api:
    backends: [{ url: "${stable.url}" }]
${canaryBlock}`;
}

const canaryAt = (steps: string) => `    canary:
      backends: [{ url: "${canary.url}" }]
      steps: ${steps}
      interval: 1h
`;

before(async () => {
  stable = await startBackend("stable");
  canary = await startBackend("canary");
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  traceway = await startTracewayCli(join(dir, "traceway.yaml"), yaml(TOKEN, canaryAt("[50, 100]")));
});

after(async () => {
  await traceway?.stop();
  await stable?.kill();
  await canary?.kill();
  await removeDir?.();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const reloaded = (n: number) =>
  traceway.cli.waitForOutput(new RegExp(`(configuration applied[\\s\\S]*){${n}}`), `reload ${n} to apply`);

test("reloads re-read tokens and canary settings, stop removed canaries and close a removed listener", async () => {
  const admin = traceway.adminUrl!;
  const before = (await adminCall(admin, "GET", "/api/v1/upstreams/api/canary", undefined, auth(TOKEN)))
    .body as CanaryView;
  assert.equal(before.share, 50);

  await writeFile(traceway.configFile, yaml(NEW_TOKEN, canaryAt("[30, 100]")));
  await reloaded(1);
  await waitFor(
    async () =>
      (await adminCall(admin, "GET", "/api/v1/upstreams", undefined, auth(NEW_TOKEN))).status === 200,
    {
      what: "the new token to be accepted",
    },
  );
  const old = await adminCall(admin, "GET", "/api/v1/upstreams", undefined, auth(TOKEN));
  assert.equal(old.status, 401, "the old token is refused");
  const after = (await adminCall(admin, "GET", "/api/v1/upstreams/api/canary", undefined, auth(NEW_TOKEN)))
    .body as CanaryView;
  assert.equal(after.startedAt, before.startedAt, "the same canary set: the run goes on");
  assert.deepEqual([after.steps, after.share], [[30, 100], 30]);
  const split = await runLoad({ url: traceway.url, count: 100, maxMs: 20_000, concurrency: 1 });
  assert.equal(split.filter((r) => r.backend === "canary").length, 30, "the data path took the new share");

  await writeFile(traceway.configFile, yaml(NEW_TOKEN, ""));
  await reloaded(2);
  const gone = await adminCall(admin, "GET", "/api/v1/upstreams/api/canary", undefined, auth(NEW_TOKEN));
  assert.equal(gone.status, 404);
  assert.equal(codeOf(gone.body), "TRACEWAY_ERR_NO_CANARY");
  const count = canary.requests.length;
  await runLoad({ url: traceway.url, count: 100, maxMs: 20_000, concurrency: 2 });
  assert.equal(canary.requests.length, count, "a removed canary gets no traffic");

  await writeFile(traceway.configFile, yaml(NEW_TOKEN, "", false));
  await reloaded(3);
  await waitFor(
    async () => {
      try {
        await fetch(`${admin}/api/v1/openapi.json`);
        return false;
      } catch {
        return true;
      }
    },
    { what: "the admin listener to close" },
  );
  assert.equal(await traceway.stop(), 0, "SIGTERM exits cleanly: no canary timer or admin socket holds it");
});
