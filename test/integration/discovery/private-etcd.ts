/**
 * An etcd member of the test's own, for tests that stop, restart, compact or cut off etcd: the
 * shared one on :12379 serves every other test and must never be disturbed. Same binary as the
 * shared one (Debian's etcd-server), free loopback ports, a temporary data dir that survives a
 * restart (so a restarted member still has its keys) and is removed by {@link PrivateEtcd.remove}.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { ensureServices } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";

const ETCD_BINARY = "etcd";

export class PrivateEtcd {
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  #child: ChildProcess | undefined;
  #log = "";

  private constructor(clientPort: number, peerPort: number, dataDir: string) {
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.dataDir = dataDir;
  }

  /** Starts a fresh single-member cluster and waits until it answers. */
  static async start(): Promise<PrivateEtcd> {
    // The shared etcd's installer (services.sh) also installs the binary when it is missing.
    await ensureServices("etcd");
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const etcd = new PrivateEtcd(clientPort, peerPort, await mkdtemp(join(tmpdir(), "traceway-etcd-")));
    await etcd.restart();
    return etcd;
  }

  /** `http://127.0.0.1:port`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** (Re)starts the member on the same ports and data dir; resolves when /health says true. */
  async restart(): Promise<void> {
    if (this.running) return;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    this.#log = "";
    const child = spawn(
      ETCD_BINARY,
      [
        "--name",
        "private",
        "--data-dir",
        this.dataDir,
        "--listen-client-urls",
        this.endpoint,
        "--advertise-client-urls",
        this.endpoint,
        "--listen-peer-urls",
        peer,
        "--initial-advertise-peer-urls",
        peer,
        "--initial-cluster",
        `private=${peer}`,
        "--initial-cluster-state",
        "new",
        "--log-level",
        "warn",
        "--logger",
        "zap",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr?.on("data", (chunk: Buffer) => {
      this.#log = (this.#log + chunk.toString()).slice(-4000);
    });
    this.#child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${this.#log}`);
        const response = await fetch(`${this.endpoint}/health`, { signal: AbortSignal.timeout(1000) });
        return ((await response.json()) as { health?: string }).health === "true";
      },
      { what: `private etcd on ${this.endpoint} to be healthy`, timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  /** Stops the member (SIGTERM, then SIGKILL after 10 s); its data stays for {@link restart}. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.running) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** A plain client of this member, for the test's own writes. Close it in `after`. */
  client(): Etcd3 {
    return new Etcd3({ hosts: this.endpoint });
  }

  /** Stops the member and deletes its data. */
  async remove(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** A loopback port nobody listened on a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}
