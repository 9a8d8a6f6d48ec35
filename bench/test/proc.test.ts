import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { treeCpuSeconds } from "../lib/proc.ts";

test("treeCpuSeconds counts the CPU a child process spends, and is undefined once it is gone", async () => {
  // Busy for 400 ms of its own clock, then idle until killed.
  const child = spawn(process.execPath, [
    "-e",
    "const end = Date.now() + 400; while (Date.now() < end); setInterval(() => {}, 1000);",
  ]);
  try {
    assert.ok(child.pid !== undefined);
    const deadline = Date.now() + 10_000;
    let cpu = treeCpuSeconds(child.pid) ?? 0;
    while (cpu < 0.3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      cpu = treeCpuSeconds(child.pid) ?? 0;
    }
    assert.ok(cpu >= 0.3, `expected at least 0.3 s of CPU, read ${cpu}`);
    assert.ok(cpu < 5, `a 400 ms busy loop cannot have used ${cpu} s`);
  } finally {
    child.kill("SIGKILL");
    await once(child, "exit");
  }
  assert.equal(treeCpuSeconds(child.pid), undefined);
});
