import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import { REPO_ROOT } from "../../helpers/services.ts";

const run = promisify(execFile);

/** The queries of a ```promql block: comment lines start one, indented lines continue it. */
function queries(block: string): string[] {
  const found: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    if (line.startsWith(" ") && found.length > 0) found[found.length - 1] += ` ${line.trim()}`;
    else found.push(line.trim());
  }
  return found;
}

void test("every PromQL example of docs/telemetry.md, Metrics, parses (promtool check rules)", async () => {
  const exprs = queries(markdownBlock(join(REPO_ROOT, "docs", "telemetry.md"), "## Metrics", "promql"));
  assert.ok(exprs.length >= 6, `${exprs.length} queries`);
  const dir = await mkdtemp(join(tmpdir(), "traceway-promql-"));
  try {
    const file = join(dir, "rules.yml");
    const rules = exprs.map((expr, i) => ({ record: `traceway:docs_example_${i}`, expr }));
    await writeFile(file, stringify({ groups: [{ name: "docs", rules }] }));
    const { stdout } = await run("promtool", ["check", "rules", file]);
    assert.match(stdout, new RegExp(`SUCCESS: ${exprs.length} rules found`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
