import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { markdownTable } from "../../helpers/markdown-block.ts";

// The README's Layout table is how a newcomer finds their way around: it names every folder the
// repository holds, one or two levels deep, and nothing that is gone.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Folders one and two levels deep that hold tracked files, e.g. `src/` and `src/pool/`. */
function trackedFolders(): string[] {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0");
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split("/").slice(0, -1);
    if (parts.length >= 1) folders.add(`${parts[0]}/`);
    if (parts.length >= 2) folders.add(`${parts[0]}/${parts[1]}/`);
  }
  return [...folders].sort();
}

/** Every `folder/` the Layout table names, in either column. */
function layoutFolders(): string[] {
  const rows = markdownTable(join(ROOT, "README.md"), "## Layout");
  const named = rows.flatMap((cells) =>
    cells.flatMap((cell) => [...cell.matchAll(/`([\w.-]+(?:\/[\w.-]+)*\/)`/g)]),
  );
  return [...new Set(named.map((m) => m[1]!))].sort();
}

test("the README's Layout table names every folder that exists, and only those", () => {
  const named = layoutFolders();
  assert.deepEqual(
    trackedFolders().filter((folder) => !named.includes(folder)),
    [],
    "folders missing from the Layout table",
  );
  assert.deepEqual(
    named.filter((folder) => !(existsSync(join(ROOT, folder)) && statSync(join(ROOT, folder)).isDirectory())),
    [],
    "folders the Layout table names that do not exist",
  );
});
