import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, before, describe, it } from "node:test";

const ROOT = join(import.meta.dirname, "..", "..", "..");

/**
 * The shell of a user who cloned the repository: PATH without any node_modules/.bin (npm test puts
 * the project's Node 22 first), so `npx` and the `node` it runs on are the machine's own, and no
 * npm_* variables from the npm process running this test.
 */
function userEnv(cache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith("npm_")) env[key] = value;
  }
  env["PATH"] = (process.env["PATH"] ?? "")
    .split(delimiter)
    .filter((dir) => !dir.includes("node_modules"))
    .join(delimiter);
  // A fresh npm cache: the first `npx traceway` of a checkout is the one that used to warn.
  env["npm_config_cache"] = cache;
  return env;
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npx traceway from a checkout, with the machine's own (older) Node running npm", () => {
  let cache: string;
  before(async () => {
    cache = await mkdtemp(join(tmpdir(), "traceway-npx-cache-"));
  });
  after(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  it("prints the version and nothing on stderr (no EBADENGINE warnings)", async (t) => {
    const env = userEnv(cache);
    const machineNode = execFileSync("node", ["--version"], { env, encoding: "utf8" }).trim();
    t.diagnostic(`npx runs on the machine's node ${machineNode}`);
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
    const result = await run("npx", ["traceway", "--version"], env);
    assert.equal(result.stderr, "");
    assert.equal(result.stdout, `${pkg.version}\n`);
    assert.equal(result.code, 0);
  });
});
