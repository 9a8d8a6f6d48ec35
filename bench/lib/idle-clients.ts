/**
 * Helper child for the idle-RSS run (its own process so the harness keeps its file descriptors):
 * opens `--count` keep-alive connections to `--port`, makes one GET on each, then leaves them idle.
 * Prints `{"opened":n,"failed":m,"firstError":...}` once done; answers each stdin line "count" with
 * `{"open":k}`; closes everything and exits when stdin ends.
 */
import { connect } from "node:net";
import type { Socket } from "node:net";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    count: { type: "string", default: "10000" },
    path: { type: "string", default: "/small" },
    concurrency: { type: "string", default: "400" },
  },
});
const port = Number(values.port);
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const REQUEST = Buffer.from(`GET ${values.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
const PER_SOCKET_TIMEOUT_MS = 10_000;
const HEADER_END = "\r\n\r\n";

const sockets: Socket[] = [];
let open = 0;

/** Resolves once a complete 200 response arrived (Content-Length body), else rejects. */
function openOne(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let buffered = "";
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve();
      }
    };
    socket.setTimeout(PER_SOCKET_TIMEOUT_MS, () => finish(new Error("timeout")));
    socket.once("connect", () => {
      open += 1;
      sockets.push(socket);
      socket.once("close", () => (open -= 1));
      socket.write(REQUEST);
    });
    socket.on("error", (error) => finish(error));
    socket.on("data", (chunk: Buffer) => {
      if (settled) return;
      buffered += chunk.toString("latin1");
      const end = buffered.indexOf(HEADER_END);
      if (end === -1) return;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(buffered)?.[1];
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? "0");
      if (buffered.length - end - HEADER_END.length < length) return;
      finish(status === "200" ? undefined : new Error(`status ${status ?? "?"}`));
    });
  });
}

let opened = 0;
let failed = 0;
let firstError: string | undefined;
let started = 0;
async function worker(): Promise<void> {
  while (started < count) {
    started += 1;
    try {
      await openOne();
      opened += 1;
    } catch (error) {
      failed += 1;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  }
}

await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => worker()));
process.stdout.write(`${JSON.stringify({ opened, failed, firstError: firstError ?? null })}\n`);

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "count") process.stdout.write(`${JSON.stringify({ open })}\n`);
});
lines.on("close", () => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
});
