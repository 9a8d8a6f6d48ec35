import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "./http-backend.ts";
import { waitFor } from "./wait-for.ts";

/** A real nginx (Debian's, installed by .ci/run) on a loopback port, as a peer to compare with. */
export interface NginxPeer {
  readonly port: number;
  readonly url: string;
  /** What nginx wrote to stderr (its error log), for failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx with one `server` listening on a free loopback port; `http` is the rest of the
 * `http {}` block (upstreams, extra `server` settings go in `server`). Master and worker stay in
 * the foreground so stopping the child stops them both, and every temp path is in a fresh folder.
 */
export async function startNginx(parts: { http?: string; server: string }): Promise<NginxPeer> {
  const dir = await mkdtemp(join(tmpdir(), "traceway-nginx-"));
  const port = await closedPort();
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `  ${kind}_temp_path ${dir}/${kind};`)
    .join("\n");
  const config = `worker_processes 1;
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
${temp}
${parts.http ?? ""}
  server {
    listen 127.0.0.1:${port};
${parts.server}
  }
}
`;
  await writeFile(join(dir, "nginx.conf"), config);
  const child = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${stderr}`);
        return accepts(port);
      },
      { what: `nginx to listen on 127.0.0.1:${port}`, timeoutMs: 10_000, intervalMs: 50 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, url: `http://127.0.0.1:${port}`, stderr: () => stderr, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
