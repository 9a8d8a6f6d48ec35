import { createServer } from "node:net";
import type { StartFailure } from "./protocol.ts";

/**
 * Fails like a listen does when `host:port` is taken. Workers bind with SO_REUSEPORT, which
 * succeeds beside any socket that set it too (another traceway instance, an nginx `reuseport`
 * listener of the same user) and would silently split traffic with it; a plain bind first makes
 * that the EADDRINUSE a single process would get.
 */
export async function ensurePortFree(host: string, port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A worker's listen failure as the error the CLI prints in one line (`cannot listen on ...`); the
 * configured address fills in what the error leaves out (Node omits a port of 0).
 */
export function listenError(
  failure: StartFailure,
  listen: { readonly host: string; readonly port: number },
): Error | undefined {
  if (failure.syscall !== "listen") return undefined;
  return Object.assign(new Error(failure.message), {
    syscall: failure.syscall,
    code: failure.code,
    address: failure.address ?? listen.host,
    port: failure.port ?? listen.port,
  });
}
