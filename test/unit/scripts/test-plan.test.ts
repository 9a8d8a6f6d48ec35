import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  addCounts,
  firstLine,
  formatCounts,
  isSolo,
  NO_TESTS,
  parseCounts,
  planTests,
} from "../../../scripts/test-plan.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const firstLineInRepo = (file: string): string => firstLine(readFileSync(join(ROOT, file), "utf8"));

void test("the marker is `// @solo: <why>` on the first line, and only there", () => {
  assert.equal(isSolo("// @solo: measures CPU seconds"), true);
  assert.equal(isSolo("// @solo"), false, "a marker without its reason");
  assert.equal(isSolo("// @solo:"), false, "a marker with an empty reason");
  assert.equal(isSolo(" // @solo: indented"), false);
  assert.equal(isSolo("import assert from 'node:assert';"), false);
  assert.equal(firstLine("// @solo: why\nimport x;\n"), "// @solo: why");
  assert.equal(firstLine("import x;\n// @solo: too late\n"), "import x;");
  assert.equal(firstLine("no newline"), "no newline");
});

void test("every file lands in exactly one phase, in the order given", () => {
  const lines: Record<string, string> = {
    "bench/test/a.test.ts": "// @solo: measures the machine",
    "test/integration/services/kafka.test.ts": "// @solo: ignored, infrastructure runs first",
    "test/unit/b.test.ts": "import assert from 'node:assert';",
    "test/unit/c.test.ts": "// @solo: also alone",
    "test/unit/d.test.ts": "/**",
  };
  const files = Object.keys(lines);
  const plan = planTests(files, (file) => lines[file] ?? "");
  assert.deepEqual(plan, {
    infrastructure: ["test/integration/services/kafka.test.ts"],
    parallel: ["test/unit/b.test.ts", "test/unit/d.test.ts"],
    solo: ["bench/test/a.test.ts", "test/unit/c.test.ts"],
  });
});

void test("the machine-measuring and timing-sensitive tests of this repository are marked solo", () => {
  const measuring = [
    "bench/test/proc.test.ts",
    "bench/test/load-accuracy.test.ts",
    "test/integration/load/closed-model-littles-law.test.ts",
    "test/integration/load/knee-token-bucket.test.ts",
    "test/integration/load/docs-examples.test.ts",
    "test/integration/stack/p0-alert.test.ts",
    "test/integration/canary/slow-canary-rollback.test.ts",
    "test/integration/canary/restart-resume.test.ts",
    "test/integration/canary/healthy-canary-promotion.test.ts",
  ];
  const plan = planTests(measuring, firstLineInRepo);
  assert.deepEqual(plan.solo, measuring);
});

void test("counts are read from the real spec reporter's summary, and add up exactly", () => {
  const fixture = join(ROOT, "test", "fixtures", "test-plan", "counts.fixture.ts");
  const run = spawnSync(process.execPath, ["--test", "--test-reporter=spec", fixture], {
    encoding: "utf8",
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
  assert.equal(run.status, 1, "the fixture has a failing test");
  const counts = parseCounts(run.stdout);
  // The reporter counts the parent of a failed subtest as failed too: two failures, as it prints.
  assert.deepEqual(counts, { pass: 3, fail: 2, cancelled: 0, skipped: 0, todo: 0 });
  assert.equal(formatCounts(counts), "3 passed, 2 failed, 0 skipped");

  const twice = addCounts(counts, { pass: 10, fail: 0, cancelled: 2, skipped: 1, todo: 0 });
  assert.deepEqual(twice, { pass: 13, fail: 2, cancelled: 2, skipped: 1, todo: 0 });
  assert.equal(formatCounts(twice), "13 passed, 4 failed, 1 skipped");
  assert.deepEqual(addCounts(NO_TESTS, counts), counts);
});
