import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";

describe("traceway --version", () => {
  it("prints package.json's version and exits 0, as does -V", async () => {
    const root = join(import.meta.dirname, "..", "..", "..");
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const cli = startCli([flag]);
      assert.equal(await cli.exited, 0);
      assert.equal(cli.stdout(), `${pkg.version}\n`);
      assert.equal(cli.stderr(), "");
    }
  });
});
