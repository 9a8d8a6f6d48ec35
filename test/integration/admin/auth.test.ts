import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { adminCall, adminYaml, codeOf, TOKEN } from "./admin-fixture.ts";

// Every write needs a Bearer token; reads too unless readAccess: loopback lets loopback in. The
// OpenAPI document and the status page hold no data and are open.

let backend: TestBackend;
let traceway: TracewayCli;
let removeDir: () => Promise<void>;
const PATCH = "/api/v1/upstreams/api/backends/";

before(async () => {
  backend = await startBackend("b1");
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  traceway = await startTracewayCli(join(dir, "traceway.yaml"), adminYaml([backend]));
});

after(async () => {
  await traceway?.stop();
  await backend?.kill();
  await removeDir?.();
});

test("no token, a wrong token, a near miss and a non-Bearer scheme all get 401 with a JSON code", async () => {
  const path = `${PATCH}${backend.url.slice("http://".length)}`;
  const attempts: Record<string, Record<string, string>> = {
    "no token": {},
    "wrong token": { authorization: "Bearer wrong-token-0123456789abcdef" },
    "all but the last character": { authorization: `Bearer ${TOKEN.slice(0, -1)}x` },
    "a prefix": { authorization: `Bearer ${TOKEN.slice(0, 20)}` },
    "Basic scheme": { authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString("base64")}` },
  };
  for (const [what, headers] of Object.entries(attempts)) {
    for (const [method, body] of [
      ["PATCH", { weight: 5 }],
      ["GET", undefined],
    ] as const) {
      const r = await adminCall(traceway.adminUrl!, method, path, body, headers);
      assert.equal(r.status, 401, `${what} ${method}`);
      assert.equal(codeOf(r.body), "TRACEWAY_ERR_ADMIN_UNAUTHORIZED");
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer/);
    }
  }
  // Nothing changed on the way.
  const ok = await adminCall(traceway.adminUrl!, "GET", path, undefined, {
    authorization: `Bearer ${TOKEN}`,
  });
  assert.equal(ok.status, 200);
  assert.equal((ok.body as { override: unknown }).override, null);
});

test("the right token is accepted; the OpenAPI document and the status page need none", async () => {
  const r = await adminCall(traceway.adminUrl!, "GET", "/api/v1/upstreams", undefined, {
    authorization: `Bearer ${TOKEN}`,
  });
  assert.equal(r.status, 200);
  assert.equal((await fetch(`${traceway.adminUrl}/api/v1/openapi.json`)).status, 200);
  const page = await fetch(`${traceway.adminUrl}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
});
