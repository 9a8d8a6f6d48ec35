import { readdirSync, readFileSync } from "node:fs";

/**
 * The fields of /proc/<pid>/stat after the command name (so index 0 is stat(5)'s field 3, the
 * state), or undefined once the process is gone. The command name may contain spaces and parens.
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields === undefined ? undefined : Number(fields[1]);
}

/** Every process below `root` (nginx workers under their master), found by scanning /proc once. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const found: number[] = [];
  const queue = [root];
  // A process tree is finite and acyclic; the length cap only guards against a /proc race.
  while (queue.length > 0 && found.length < 10_000) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** VmRSS of one process in KiB, or undefined once it has exited. */
export function rssKiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** RSS of a process plus all its descendants (nginx master + worker), KiB. */
export function treeRssKiB(pid: number): number | undefined {
  const own = rssKiB(pid);
  if (own === undefined) return undefined;
  return descendants(pid).reduce((sum, child) => sum + (rssKiB(child) ?? 0), own);
}

/** Clock ticks per second of /proc's utime/stime (USER_HZ): 100 on every Linux we run on. */
const USER_HZ = 100;

/** CPU seconds (user + system) one process has used so far, or undefined once it has exited. */
function cpuSeconds(pid: number): number | undefined {
  const fields = statFields(pid);
  // utime and stime are stat(5)'s fields 14 and 15.
  return fields === undefined ? undefined : (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** CPU seconds of a process and its descendants (nginx master + worker). */
export function treeCpuSeconds(pid: number): number | undefined {
  const own = cpuSeconds(pid);
  if (own === undefined) return undefined;
  return descendants(pid).reduce((sum, child) => sum + (cpuSeconds(child) ?? 0), own);
}

/**
 * Involuntary context switches so far (the kernel took the CPU from a runnable thread), summed
 * over every thread of one process, or undefined once it has exited. A process that shares too few
 * cores with others is preempted on nearly every wake-up of a neighbour, and pays for it in cold
 * caches: this is how the bench shows it.
 */
function involuntarySwitches(pid: number): number | undefined {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let sum = 0;
  for (const tid of threads) {
    try {
      const match = /^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(
        readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8"),
      );
      sum += match ? Number(match[1]) : 0;
    } catch {
      // The thread ended between the listing and the read: its switches are gone with it.
    }
  }
  return sum;
}

/** Involuntary context switches of a process's threads and its descendants' (see above). */
export function treeInvoluntarySwitches(pid: number): number | undefined {
  const own = involuntarySwitches(pid);
  if (own === undefined) return undefined;
  return descendants(pid).reduce((sum, child) => sum + (involuntarySwitches(child) ?? 0), own);
}
