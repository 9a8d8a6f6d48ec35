import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../helpers/services.ts";

const run = promisify(execFile);
const ALERTS = join(REPO_ROOT, "dashboards", "alerts");

describe("Prometheus alert rules", () => {
  it("pass promtool check rules", async () => {
    const { stdout } = await run("promtool", ["check", "rules", join(ALERTS, "traceway-rules.yml")]);
    assert.match(stdout, /SUCCESS: \d+ rules found/);
  });

  it("fire and stay quiet as their promtool unit tests say", async () => {
    const { stdout } = await run("promtool", ["test", "rules", "traceway-rules.test.yml"], { cwd: ALERTS });
    assert.match(stdout, /SUCCESS/);
  });
});
