import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { DASHBOARDS, render } from "../../../dashboards/src/generate.ts";

const DIR = join(import.meta.dirname, "..", "..", "..", "dashboards");

test("dashboards/*.json are what `npm run dashboards` generates from dashboards/src", async () => {
  const files = (await readdir(DIR)).filter((f) => f.endsWith(".json")).sort();
  assert.deepEqual(files, Object.keys(DASHBOARDS).sort(), "every JSON file has a spec, every spec a file");
  for (const [file, spec] of Object.entries(DASHBOARDS)) {
    assert.equal(
      await readFile(join(DIR, file), "utf8"),
      render(spec),
      `${file} is stale: run npm run dashboards`,
    );
  }
});
