import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { join } from "node:path";
import { ROOT } from "./layout.ts";
import { freePort } from "./ports.ts";

const JAEGER_SCRIPT = join(ROOT, "scripts", "jaeger.sh");
/** `scripts/jaeger.sh up` may download Jaeger on first use. */
const JAEGER_UP_TIMEOUT_MS = 180_000;
/** The OTLP/HTTP port scripts/jaeger.sh publishes. */
const JAEGER_OTLP = "http://127.0.0.1:14318/v1/traces";

/** Where the traced targets export spans, and how that receiver is described in the notes. */
export interface OtlpReceiver {
  readonly endpoint: string;
  readonly description: string;
  /** What arrived, for the notes (sink only). */
  stats(): string;
  close(): Promise<void>;
}

/**
 * A stand-in collector: accepts any POST, drains it and answers 200 with an empty body, which the
 * OTLP/HTTP exporters read as full success. Runs in the harness process, which is idle during wrk runs.
 */
async function startSink(why: string): Promise<OtlpReceiver> {
  const port = await freePort();
  let exports = 0;
  let bytes = 0;
  const server: Server = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => (bytes += chunk.length));
    req.on("end", () => {
      exports += 1;
      res.writeHead(200, { "content-type": "application/x-protobuf", "content-length": 0 }).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${port}/v1/traces`,
    description: `local OTLP sink (answers 200, discards; ${why})`,
    stats: () => `${exports} export requests, ${(bytes / 1e6).toFixed(1)} MB received`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function jaegerScript(action: "up" | "down" | "status"): { ok: boolean; output: string } {
  const result = spawnSync("bash", [JAEGER_SCRIPT, action], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: JAEGER_UP_TIMEOUT_MS,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  return { ok: result.status === 0, output: output.split("\n").at(-1) ?? "" };
}

/**
 * Jaeger via `scripts/jaeger.sh` when it exists and comes up (stopped again afterwards only if this
 * run started it), else the local sink. `--sink` forces the sink.
 */
export async function startOtlpReceiver(
  forceSink: boolean,
  note: (text: string) => void,
): Promise<OtlpReceiver> {
  if (forceSink) return startSink("--sink given");
  if (!existsSync(JAEGER_SCRIPT)) return startSink("scripts/jaeger.sh does not exist");
  const wasUp = /\bup\b/.test(jaegerScript("status").output);
  const up = wasUp ? { ok: true, output: "" } : jaegerScript("up");
  if (!up.ok) {
    note(`jaeger did not come up (${up.output}); using the local OTLP sink`);
    return startSink(`scripts/jaeger.sh up failed: ${up.output}`);
  }
  return {
    endpoint: JAEGER_OTLP,
    description: `Jaeger via scripts/jaeger.sh (${wasUp ? "already running" : "started by the bench"})`,
    stats: () => "",
    close: () => {
      if (!wasUp) jaegerScript("down");
      return Promise.resolve();
    },
  };
}
