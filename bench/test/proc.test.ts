// @solo: the CPU read must follow the child's report promptly; a busy machine delays it past the allowance
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { treeCpuSeconds, treeInvoluntarySwitches } from "../lib/proc.ts";

/**
 * The child measures its own CPU time (process.cpuUsage, from the kernel like /proc) and reports
 * it once it has spent 0.4 s, then idles. Both readings count the same process's ticks, so they
 * agree however busy the machine is: a loop timed by the wall clock would spend less CPU on a
 * loaded machine and made this test flaky.
 */
const CHILD = `
const spent = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
while (spent() < 0.4);
process.stdout.write(spent() + "\\n");
setInterval(() => {}, 1000);
`;

/** /proc counts in ticks of 10 ms (USER_HZ 100): two ticks of rounding either way. */
const TICKS = 0.02;
/** What an idle Node process may spend between reporting and being read (timer wake-ups, GC). */
const IDLE_ALLOWANCE = 0.1;

test("treeCpuSeconds counts the CPU a child process spends, and is undefined once it is gone", async () => {
  const child = spawn(process.execPath, ["-e", CHILD]);
  try {
    assert.ok(child.pid !== undefined);
    const [line] = (await once(child.stdout, "data")) as [Buffer];
    const reported = Number(line.toString().trim());
    assert.ok(reported >= 0.4, `the child reported ${reported} s`);
    const read = treeCpuSeconds(child.pid) ?? 0;
    assert.ok(read >= reported - TICKS, `read ${read} s, the child reported ${reported} s`);
    assert.ok(read <= reported + TICKS + IDLE_ALLOWANCE, `read ${read} s, the child reported ${reported} s`);
  } finally {
    child.kill("SIGKILL");
    await once(child, "exit");
  }
  assert.equal(treeCpuSeconds(child.pid), undefined);
});

/**
 * Two busy threads (the main one and a worker thread) held to one CPU by taskset: the scheduler
 * must take the CPU from each of them at every time slice, however quiet the machine is, so their
 * process's involuntary context switches climb. They stop once the process has spent 0.6 s of CPU.
 */
const CONTENDED = `
const { Worker } = require("node:worker_threads");
const spent = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const busy = "const spent = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }; while (spent() < 0.6);";
const worker = new Worker(busy, { eval: true });
while (spent() < 0.6);
worker.once("exit", () => process.stdout.write("done\\n"));
setInterval(() => {}, 1000);
`;

test("treeInvoluntarySwitches counts the preemptions of a process's threads, and is undefined once it is gone", async () => {
  const child = spawn("taskset", ["-c", "0", process.execPath, "-e", CONTENDED]);
  try {
    assert.ok(child.pid !== undefined);
    await once(child.stdout, "data");
    const switches = treeInvoluntarySwitches(child.pid);
    // 0.6 s shared by two threads on one CPU is dozens of time slices; 10 leaves room for long ones.
    assert.ok(switches !== undefined && switches >= 10, `${String(switches)} involuntary switches`);
  } finally {
    child.kill("SIGKILL");
    await once(child, "exit");
  }
  assert.equal(treeInvoluntarySwitches(child.pid), undefined);
});
