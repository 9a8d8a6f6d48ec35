import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { RUNTIME_FLAGS } from "../../../src/run/runtime-flags.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");

test("npm start and the traceway binary run Node with exactly RUNTIME_FLAGS", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  assert.equal(pkg.scripts.start, `node ${RUNTIME_FLAGS.join(" ")} src/cli.ts`);
  const shebang = readFileSync(join(ROOT, "bin", "traceway.js"), "utf8").split("\n")[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${RUNTIME_FLAGS.join(" ")}`);
});
