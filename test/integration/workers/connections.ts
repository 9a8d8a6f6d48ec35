import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** One established TCP connection as the kernel lists it, with the process holding that end. */
interface Connection {
  readonly localPort: number;
  readonly remotePort: number;
  readonly pid: number;
}

/**
 * The established TCP connections that the processes `pids` hold, read from /proc (the socket
 * inodes each pid has open, and the kernel's TCP tables). Linux only, as SO_REUSEPORT balancing
 * is; lets a test tell which process is at either end of a connection.
 */
function connectionsOf(pids: readonly number[]): Connection[] {
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
  const connections: Connection[] = [];
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
      const pid = inodeOwner.get(f[9]!);
      if (pid === undefined) continue;
      const localPort = parseInt(f[1]!.split(":")[1]!, 16);
      const remotePort = parseInt(f[2]!.split(":")[1]!, 16);
      connections.push({ localPort, remotePort, pid });
    }
  }
  return connections;
}

/** Which of `pids` holds the server side of each connection to `port`: client port → pid. */
export function serverSideOwners(pids: readonly number[], port: number): Map<number, number> {
  const owners = new Map<number, number>();
  for (const c of connectionsOf(pids)) if (c.localPort === port) owners.set(c.remotePort, c.pid);
  return owners;
}

/** Which of `pids` opened the connection from `clientPort` to `serverPort`, if any still does. */
export function clientSideOwner(
  pids: readonly number[],
  clientPort: number,
  serverPort: number,
): number | undefined {
  return connectionsOf(pids).find((c) => c.localPort === clientPort && c.remotePort === serverPort)?.pid;
}
