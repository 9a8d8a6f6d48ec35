import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { BackendChangeResponse, CanaryView } from "../../../src/admin/api-types.ts";
import { openApiDocument } from "../../../src/admin/openapi.ts";
import { parseConfigText } from "../../../src/config/load.ts";
import { runCurlExamples } from "../../helpers/curl-example.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import { REPO_ROOT } from "../../helpers/services.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";

// The examples of docs/admin-api.md, docs/canary.md and the README's Admin API section: their configs load, and their curl
// commands, run against a real traceway started from canary.md's configuration, answer as the
// pages say.

const ADMIN = join(REPO_ROOT, "docs", "admin-api.md");
const CANARY = join(REPO_ROOT, "docs", "canary.md");
const README = join(REPO_ROOT, "README.md");
const TOKEN = "docs-example-token-0123456789";
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

let backends: TestBackend[];
let traceway: TracewayCli;
let removeDir: () => Promise<void>;

before(async () => {
  backends = [await startBackend("stable-1"), await startBackend("stable-2"), await startBackend("canary")];
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  // canary.md's configuration, on this test's ports and backends.
  const yaml = markdownBlock(CANARY, "## Configuration")
    .replace("127.0.0.1:9901", "127.0.0.1:0")
    .replace("http://127.0.0.1:8001", backends[0]!.url)
    .replace("http://127.0.0.1:8002", backends[1]!.url)
    .replace("http://127.0.0.1:8201", backends[2]!.url)
    .replace("/var/lib/traceway/api-canary.json", join(dir, "api-canary.json"));
  const file = `server: { listen: "127.0.0.1:0" }\ntelemetry: { prometheus: { enabled: false } }\n${yaml}`;
  traceway = await startTracewayCli(join(dir, "traceway.yaml"), file, { TRACEWAY_ADMIN_TOKEN: TOKEN });
});

after(async () => {
  await traceway?.stop();
  for (const b of backends ?? []) await b.kill();
  await removeDir?.();
});

test("the configuration examples load without problems or warnings", () => {
  const env = { TRACEWAY_ADMIN_TOKEN: TOKEN, TRACEWAY_DEPLOY_TOKEN: `${TOKEN}-deploy` };
  const admin = parseConfigText(markdownBlock(ADMIN, "## Turning it on"), { env });
  assert.deepEqual(admin.warnings, []);
  assert.deepEqual(
    admin.config.admin?.tokens.map((t) => t.name),
    ["ops", "deploy-bot"],
  );
  const canary = parseConfigText(markdownBlock(CANARY, "## Configuration"), { env });
  assert.deepEqual(canary.warnings, []);
  assert.deepEqual(canary.config.upstreams.get("api")?.canary?.steps, [5, 25, 50, 100]);
  const metrics = markdownBlock(CANARY, "## Analysis").replace(/^/gm, "      ");
  const withMetrics = parseConfigText(
    `upstreams:\n  api:\n    backends: [{ url: "http://127.0.0.1:8001" }]\n    canary:\n      backends: [{ url: "http://127.0.0.1:8201" }]\n${metrics}`,
    { env },
  );
  assert.equal(withMetrics.config.upstreams.get("api")?.canary?.analysis.metrics[0]?.name, "gc_pause");
});

test("the curl examples answer as the pages say", async () => {
  const rewrite = (url: string) =>
    url
      .replace("http://127.0.0.1:9901", traceway.adminUrl!)
      .replace("127.0.0.1:8002", backends[1]!.url.slice(7));
  const [change] = await runCurlExamples(
    markdownBlock(ADMIN, "### Changing a backend", "sh"),
    { TOKEN },
    rewrite,
  );
  assert.equal(change?.status, 200, change?.body);
  const answer = JSON.parse(change.body) as BackendChangeResponse;
  const documented = JSON.parse(
    markdownBlock(ADMIN, "### Changing a backend", "json"),
  ) as BackendChangeResponse;
  assert.deepEqual(answer.applied, documented.applied);
  assert.equal(answer.holds, documented.holds);
  assert.deepEqual(answer.backend.override, documented.backend.override);
  assert.equal(answer.backend.effectiveWeight, documented.backend.effectiveWeight);

  // The README's Admin API example is the same call; it answers the same way.
  const [readme] = await runCurlExamples(markdownBlock(README, "## Admin API", "sh"), { TOKEN }, rewrite);
  assert.equal(readme?.status, 200, readme?.body);
  assert.deepEqual((JSON.parse(readme.body) as BackendChangeResponse).applied, { weight: 5 });

  const canary = await runCurlExamples(
    markdownBlock(CANARY, "## Operating a canary", "sh"),
    { TOKEN },
    rewrite,
  );
  assert.deepEqual(
    canary.map((r) => r.status),
    [200, 200, 200],
    canary.map((r) => r.body).join("\n"),
  );
  assert.deepEqual(
    canary.map((r) => (JSON.parse(r.body) as CanaryView).phase),
    ["progressing", "paused", "promoted"],
  );
});

test("the event stream's example message is a valid reload event", () => {
  const lines = markdownBlock(ADMIN, "## Event stream", "text").split("\n");
  assert.equal(lines[0], "event: reload");
  assert.match(lines[1] ?? "", /^id: \d+$/);
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  ajv.addSchema(openApiDocument as object, "openapi.json");
  const check = ajv.compile({ $ref: "openapi.json#/components/schemas/ReloadEvent" });
  assert.ok(check(JSON.parse((lines[2] ?? "").replace(/^data: /, ""))), ajv.errorsText(check.errors));
});
