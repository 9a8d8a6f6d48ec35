import { parseArgs } from "node:util";

/** `--port P --backends http://a,http://b`: what the harness passes to every peer. */
export function peerArgs(): { port: number; backends: string[] } {
  const { values } = parseArgs({
    options: { port: { type: "string" }, backends: { type: "string" } },
  });
  const port = Number(values.port);
  const backends = (values.backends ?? "").split(",").filter((b) => b !== "");
  if (!Number.isInteger(port) || backends.length === 0) {
    throw new Error("usage: --port <port> --backends <url>[,<url>...]");
  }
  return { port, backends };
}

/**
 * Idle client connections stay open as long as nginx's (75 s default, raised to 300 s for the bench)
 * instead of Node's 5 s, so the idle-RSS run holds all its sockets on every target.
 */
export const CLIENT_KEEP_ALIVE_MS = 300_000;

/** Exits on SIGTERM/SIGINT without draining: the harness only stops peers between runs. */
export function exitOnSignals(): void {
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => process.exit(0));
}
