import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/**
 * Which process holds the server side of each connection to `port`: client port → pid, read from
 * /proc (the sockets each pid has open, and the kernel's TCP table). Linux only, as SO_REUSEPORT
 * balancing is; lets a test tell which worker a client's keep-alive connection landed on.
 */
export function serverSideOwners(pids: readonly number[], port: number): Map<number, number> {
  const inodeOwner = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodeOwner.set(m[1]!, pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  const owners = new Map<number, number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== "01") continue; // 01: ESTABLISHED
      const localPort = parseInt(f[1]!.split(":")[1]!, 16);
      const remotePort = parseInt(f[2]!.split(":")[1]!, 16);
      const owner = inodeOwner.get(f[9]!);
      if (localPort === port && owner !== undefined) owners.set(remotePort, owner);
    }
  }
  return owners;
}
