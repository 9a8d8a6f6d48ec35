import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { markdownBlock } from "../../helpers/markdown-block.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const run = promisify(execFile);

void test("the README library example runs as written against the package entry point", async () => {
  const source = markdownBlock(join(ROOT, "README.md"), "## Library use", "ts");
  assert.match(source, /from "traceway"/);
  const dir = join(ROOT, ".cache", "docs-examples");
  const file = join(dir, `library-${randomUUID()}.ts`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, source);
  try {
    // "traceway" resolves to this package itself; the "development" condition points it at src/.
    const { stdout } = await run(
      join(ROOT, "node_modules", ".bin", "node"),
      ["--conditions=development", file],
      {
        cwd: ROOT,
        timeout: 30_000,
      },
    );
    assert.equal(stdout.trim(), "401 200 hello from the backend");
  } finally {
    await rm(file, { force: true });
  }
});
