import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { markdownBlock } from "./markdown-block.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

/** How {@link runDocsExample} runs the block. */
export interface DocsExampleOptions {
  /** Variables added to the test's environment. */
  readonly env?: Record<string, string>;
  /** A module loaded before the example (`node --import`), e.g. to register SDK providers. */
  readonly preload?: string;
  readonly timeoutMs?: number;
}

/**
 * Runs the first ```ts block under `heading` of a markdown file (`page` relative to the repository,
 * e.g. "docs/library.md") as its own program and returns what it printed. "traceway" and
 * "traceway/interceptors" resolve to this package itself; the "development" condition points them at
 * the TypeScript sources.
 */
export async function runDocsExample(
  page: string,
  heading: string,
  options: DocsExampleOptions = {},
): Promise<string> {
  const source = markdownBlock(join(ROOT, page), heading, "ts");
  const dir = join(ROOT, ".cache", "docs-examples");
  const file = join(dir, `example-${randomUUID()}.ts`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, source);
  const preload = options.preload === undefined ? [] : ["--import", options.preload];
  try {
    const { stdout } = await run(
      join(ROOT, "node_modules", ".bin", "node"),
      ["--conditions=development", ...preload, file],
      {
        cwd: ROOT,
        timeout: options.timeoutMs ?? 30_000,
        env: { ...process.env, ...options.env },
      },
    );
    return stdout.trim();
  } finally {
    await rm(file, { force: true });
  }
}
