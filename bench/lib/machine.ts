import { spawnSync } from "node:child_process";
import { availableParallelism, cpus, release, totalmem } from "node:os";
import { ROOT } from "./layout.ts";

/** What the results depend on, for the header of every results file. */
export interface MachineInfo {
  readonly date: string;
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly nginx: string;
  readonly haproxy: string;
  readonly wrk: string;
  readonly caddy: string;
  /** Short commit, `+dirty` when the working tree has changes. */
  readonly commit: string;
  readonly shortCommit: string;
}

function firstLine(command: string, args: readonly string[], pattern: RegExp): string {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", timeout: 10_000 });
  const text = `${result.stdout ?? ""}\n${result.stderr ?? ""}`;
  return pattern.exec(text)?.[1] ?? "not installed";
}

export function machineInfo(): MachineInfo {
  const shortCommit = firstLine("git", ["rev-parse", "--short", "HEAD"], /^([0-9a-f]{4,})/m);
  const dirty =
    spawnSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" }).stdout?.trim() !== "";
  return {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    nginx: firstLine("nginx", ["-v"], /nginx version: (\S+)/),
    haproxy: firstLine("haproxy", ["-v"], /(HAProxy version \S+)/),
    wrk: firstLine("wrk", ["-v"], /^(wrk \S+)/m),
    caddy: firstLine("caddy", ["version"], /^v?(\d+\.\d+\.\d+\S*)/m),
    commit: `${shortCommit}${dirty ? "+dirty" : ""}`,
    shortCommit,
  };
}
