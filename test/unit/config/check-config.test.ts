import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { checkConfigCommand } from "../../../src/config/check-config.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

// Written at run time: a broken YAML file in the repository would fail `prettier --check .`.
function syntaxErrorFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "traceway-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "syntax-error.yaml");
  writeFileSync(
    file,
    'upstreams:\n  api:\n    backends: [ { url: "http://127.0.0.1:8001" }\n    strategy: round_robin\n',
  );
  return file;
}

async function run(file: string): Promise<{ code: number; lines: string[] }> {
  let text = "";
  const code = await checkConfigCommand(file, { write: (chunk: string) => (text += chunk) }, { env: {} });
  return { code, lines: text.trimEnd().split("\n") };
}

test("a file with three problems prints all three, one per line, and exits 1", async () => {
  const file = fixture("three-problems.yaml");
  const { code, lines } = await run(file);
  assert.equal(code, 1);
  assert.deepEqual(lines, [
    "upstreams.api.backends[0].weight: must be at least 1, got 0",
    'upstreams.api.backends[1].url: invalid URL "htp:/x"',
    'upstreams.api: unknown key "stratgy" (did you mean "strategy"?)',
    `invalid: 3 problems in ${file}`,
  ]);
});

test("a valid file prints a summary and its warnings, and exits 0", async () => {
  assert.deepEqual(await run(fixture("unused-upstream.yaml")), {
    code: 0,
    lines: ["ok: 2 upstreams, 1 route", "warning: upstreams.legacy: not used by any route"],
  });
  assert.deepEqual(await run(fixture("minimal.json")), { code: 0, lines: ["ok: 1 upstream, 1 route"] });
});

test("a syntax error or a missing file exits 1 with the reason", async () => {
  const file = syntaxErrorFile();
  const syntax = await run(file);
  assert.equal(syntax.code, 1);
  assert.match(syntax.lines[0] ?? "", /^.*syntax-error\.yaml:4:5: YAML syntax error: /);
  const missing = await run(fixture("nope.yaml"));
  assert.equal(missing.code, 1);
  assert.match(missing.lines[0] ?? "", /nope\.yaml: cannot read file: ENOENT/);
});
