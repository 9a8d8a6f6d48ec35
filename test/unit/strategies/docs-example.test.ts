import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { markdownBlock } from "../../helpers/markdown-block.ts";

const root = new URL("../../../", import.meta.url);
let dir: string | undefined;
after(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

void test("the docs/strategies.md example runs and gives the cycle it claims", async () => {
  // Throws when the page has no ```ts block under the heading.
  const block = markdownBlock(
    fileURLToPath(new URL("docs/strategies.md", root)),
    "## Using a strategy directly",
    "ts",
  );
  const claimed = /\/\/ cycle: (.*)/.exec(block)?.[1]?.split(" ");
  assert.ok(claimed !== undefined, "the example states the cycle");
  // Resolve the example's repo-relative imports from a temp file, and expose its result.
  const source = block.replaceAll('from "./', `from "${new URL("./", root).href}`) + "\nexport { cycle };\n";
  dir = await mkdtemp(join(tmpdir(), "traceway-docs-"));
  const file = join(dir, "example.ts");
  await writeFile(file, source);
  const mod = (await import(pathToFileURL(file).href)) as { cycle: unknown };
  assert.deepEqual(mod.cycle, claimed);
});
