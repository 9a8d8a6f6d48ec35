import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { DEFAULT_PORTS } from "../../../scripts/stack/ports.ts";
import { markdownBlock, markdownTable } from "../../helpers/markdown-block.ts";
import { REPO_ROOT } from "../../helpers/services.ts";
import { ensureStack, TEST_PORT_OFFSET, TEST_STACK_ENV } from "../../helpers/stack.ts";

// docs/stack.md's examples and tables, held to what npm run stack does. The commands run as written,
// on the test stack through the documented variables (TRACEWAY_STACK_PORT_OFFSET, TRACEWAY_STACK_DIR).
const run = promisify(execFile);
const PAGE = join(REPO_ROOT, "docs", "stack.md");
const commands = markdownBlock(PAGE, "## Run it", "sh")
  .split("\n")
  .map((line) => line.replace(/#.*$/, "").trim())
  .filter((line) => line !== "");

before(async () => void (await ensureStack()), { timeout: 1_800_000 });

async function sh(command: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run("bash", ["-c", command], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...TEST_STACK_ENV },
      timeout: 600_000,
      maxBuffer: 8 * 1024 * 1024,
    });
    return { code: 0, stdout };
  } catch (error) {
    const { code, stdout } = error as { code?: number; stdout?: string };
    return { code: code ?? 1, stdout: stdout ?? "" };
  }
}

describe("docs/stack.md", () => {
  it("documents up, status and down, and up prints every URL and log of the running stack", async () => {
    assert.deepEqual(commands, ["npm run stack", "npm run stack -- status", "npm run stack -- down"]);
    const up = await sh(commands[0] ?? "");
    assert.equal(up.code, 0, up.stdout);
    for (const name of [
      "traceway",
      "prometheus",
      "alertmanager",
      "jaegerUi",
      "gin1",
      "gin2",
      "gin3",
    ] as const) {
      assert.match(
        up.stdout,
        new RegExp(`http://127\\.0\\.0\\.1:${DEFAULT_PORTS[name] + TEST_PORT_OFFSET}`),
        name,
      );
    }
    for (const log of [
      "logs/traceway.log",
      "logs/gin-1.log",
      "logs/kafka-worker-2.log",
      "services/kafka/kafka.log",
    ]) {
      assert.ok(up.stdout.includes(log), log);
    }
    // `down` is what npm test runs under CI to stop this stack (scripts/run-tests.ts); here it would
    // pull the stack from under the other stack tests.
  });

  it("status says every component is up, and exits 0", async () => {
    const status = await sh(commands[1] ?? "");
    assert.equal(status.code, 0, status.stdout);
    for (const name of [
      "kafka",
      "etcd",
      "jaeger",
      "prometheus",
      "alertmanager",
      "traceway",
      "gin-1",
      "kafka-worker-1",
      "load",
    ]) {
      assert.match(status.stdout, new RegExp(`^${name}\\s+up\\b`, "m"), name);
    }
  });

  it("lists every port with its default", () => {
    const rows = markdownTable(PAGE, "## Ports and logs").map(([name, port]) => [
      name?.replaceAll("`", ""),
      Number(port),
    ]);
    assert.deepEqual(Object.fromEntries(rows), DEFAULT_PORTS);
  });

  it("lists every alert with its priority and sampling interval", async () => {
    const rules = parse(
      await readFile(join(REPO_ROOT, "dashboards", "alerts", "traceway-rules.yml"), "utf8"),
    ) as {
      groups: { interval: string; rules: { alert?: string; labels?: { severity: string } }[] }[];
    };
    const actual = rules.groups.flatMap((g) =>
      g.rules.filter((r) => r.alert !== undefined).map((r) => [r.alert, r.labels?.severity, g.interval]),
    );
    const documented = markdownTable(PAGE, "## Alerts and runbooks").map(([alert, priority, interval]) => [
      alert?.replaceAll("`", ""),
      priority,
      interval,
    ]);
    assert.deepEqual(documented, actual);
  });
});
