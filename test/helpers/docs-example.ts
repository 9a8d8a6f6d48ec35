import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { markdownBlock } from "./markdown-block.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

/**
 * Runs the first ```ts block under `heading` of the README as its own program and returns what it
 * printed. "traceway" and "traceway/interceptors" resolve to this package itself; the "development"
 * condition points them at the TypeScript sources.
 */
export async function runReadmeExample(heading: string): Promise<string> {
  const source = markdownBlock(join(ROOT, "README.md"), heading, "ts");
  const dir = join(ROOT, ".cache", "docs-examples");
  const file = join(dir, `example-${randomUUID()}.ts`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, source);
  try {
    const { stdout } = await run(
      join(ROOT, "node_modules", ".bin", "node"),
      ["--conditions=development", file],
      {
        cwd: ROOT,
        timeout: 30_000,
      },
    );
    return stdout.trim();
  } finally {
    await rm(file, { force: true });
  }
}
