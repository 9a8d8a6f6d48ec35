import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { RUNTIME_FLAGS } from "../../src/run/runtime-flags.ts";
import { spawnNginx } from "./backends.ts";
import type { ChildRegistry, ManagedChild } from "./children.ts";
import { NODE, ROOT, WORK_DIR } from "./layout.ts";
import { caddyfile } from "./caddy-config.ts";
import { haproxyConfig, proxyConfig } from "./nginx-configs.ts";
import { freePort } from "./ports.ts";
import { lastLine } from "./target.ts";
import type { Target, TargetKind } from "./target.ts";
import { waitForHttp200 } from "./wait-http.ts";

/** Long enough for a cold Node start with OpenTelemetry loaded on a busy 2-core machine. */
const START_TIMEOUT_MS = 20_000;

/** What the traceway targets differ in. */
export interface TracewayTelemetry {
  readonly metrics: boolean;
  /** Fraction of requests traced and exported; omitted = tracing off. */
  readonly sampleRatio?: number;
  /** `server.transport`; omitted = traceway's default (undici). */
  readonly transport?: "http-proxy";
  /** `logging.accessLog` (traceway's default is on; the bench's targets have it off unless this says so). */
  readonly accessLog?: boolean;
  /** `server.workers`; omitted = traceway's default (1, no primary). */
  readonly workers?: number;
}

export interface StartContext {
  readonly registry: ChildRegistry;
  readonly backendPorts: readonly number[];
  readonly otlpEndpoint: string;
  /** Set by bench/profile-http.ts: the Node targets write V8 CPU profiles under it, one folder each. */
  readonly cpuProfileDir?: string;
}

/** `--cpu-prof` flags for a Node target when the context asks for profiles, else none. */
export function profilerFlags(ctx: StartContext, name: string): string[] {
  if (ctx.cpuProfileDir === undefined) return [];
  return ["--cpu-prof", `--cpu-prof-dir=${join(ctx.cpuProfileDir, profileFolder(name))}`];
}

/** The folder of one target's profiles: its row name made safe for a path. */
export function profileFolder(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

async function started(
  ctx: StartContext,
  name: string,
  kind: TargetKind,
  port: number,
  child: ManagedChild,
  metricsUrl?: string,
): Promise<Target> {
  const url = `http://127.0.0.1:${port}`;
  const failure = await waitForHttp200(`${url}/small`, START_TIMEOUT_MS, () => {
    const reason = child.exitReason();
    return reason === undefined ? undefined : `exited (${reason}): ${lastLine(child.stderrTail())}`;
  });
  if (failure !== undefined) {
    await ctx.registry.stop(child);
    return { name, kind, url, port, failure: `failed to start: ${failure}` };
  }
  return metricsUrl === undefined
    ? { name, kind, url, port, child }
    : { name, kind, url, port, child, metricsUrl };
}

/** The generated YAML in the format `src/config/load.ts` reads. */
export function tracewayConfig(
  port: number,
  backendPorts: readonly number[],
  telemetry: TracewayTelemetry,
  metricsPort: number,
  otlpEndpoint: string,
): Record<string, unknown> {
  const traces =
    telemetry.sampleRatio === undefined
      ? {}
      : { traces: { otlpEndpoint, sampleRatio: telemetry.sampleRatio } };
  return {
    server: {
      listen: `127.0.0.1:${port}`,
      ...(telemetry.transport === undefined ? {} : { transport: telemetry.transport }),
      ...(telemetry.workers === undefined ? {} : { workers: telemetry.workers }),
    },
    upstreams: {
      bench: {
        strategy: "round_robin",
        backends: backendPorts.map((p) => ({ url: `http://127.0.0.1:${p}` })),
      },
    },
    telemetry: {
      prometheus: telemetry.metrics
        ? { listen: `127.0.0.1:${metricsPort}`, path: "/metrics" }
        : { enabled: false },
      ...traces,
    },
    logging: { level: "warn", accessLog: telemetry.accessLog ?? false },
  };
}

export async function startTraceway(
  ctx: StartContext,
  name: string,
  telemetry: TracewayTelemetry,
): Promise<Target> {
  const port = await freePort();
  const metricsPort = await freePort();
  const dir = join(WORK_DIR, `traceway-${port}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "traceway.yaml");
  writeFileSync(
    file,
    stringify(tracewayConfig(port, ctx.backendPorts, telemetry, metricsPort, ctx.otlpEndpoint)),
  );
  // The shipped artifact (tsc output) with the binary's Node flags, not the TypeScript sources.
  // Access lines go to a file, as an nginx access_log does, not to a pipe this process would read.
  const child = ctx.registry.spawn(
    name,
    NODE,
    [...RUNTIME_FLAGS, ...profilerFlags(ctx, name), "dist/src/cli.js", "--config", file],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production" },
      ...(telemetry.accessLog === true ? { stdoutFile: join(dir, "access.log") } : {}),
    },
  );
  const metricsUrl = telemetry.metrics ? `http://127.0.0.1:${metricsPort}/metrics` : undefined;
  return started(ctx, name, "traceway", port, child, metricsUrl);
}

/** The nginx target; `workers` is its `worker_processes`. */
export async function startNginxProxy(ctx: StartContext, name = "nginx", workers = 1): Promise<Target> {
  const port = await freePort();
  const dir = join(WORK_DIR, `nginx-proxy-${port}`);
  const child = spawnNginx(ctx.registry, name, dir, proxyConfig(dir, port, ctx.backendPorts, workers));
  return started(ctx, name, "nginx", port, child);
}

export async function startHaproxy(ctx: StartContext): Promise<Target> {
  const port = await freePort();
  const dir = join(WORK_DIR, `haproxy-${port}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "haproxy.cfg"), haproxyConfig(port, ctx.backendPorts));
  const child = ctx.registry.spawn("haproxy", "haproxy", ["-db", "-f", join(dir, "haproxy.cfg")]);
  return started(ctx, "HAProxy", "haproxy", port, child);
}

/** Caddy (Debian's), its data and autosaved config kept in the instance dir, not in $HOME. */
export async function startCaddy(ctx: StartContext): Promise<Target> {
  const port = await freePort();
  const adminPort = await freePort();
  const dir = join(WORK_DIR, `caddy-${port}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "Caddyfile");
  writeFileSync(file, caddyfile(port, adminPort, ctx.backendPorts));
  const child = ctx.registry.spawn("Caddy", "caddy", ["run", "--adapter", "caddyfile", "--config", file], {
    env: { ...process.env, XDG_DATA_HOME: join(dir, "data"), XDG_CONFIG_HOME: join(dir, "config") },
  });
  return started(ctx, "Caddy", "caddy", port, child, `http://127.0.0.1:${adminPort}/metrics`);
}

/** `bench/peers/<file>`: a standalone Node proxy taking `--port` and `--backends`. */
export async function startPeer(ctx: StartContext, name: string, file: string): Promise<Target> {
  const port = await freePort();
  const backends = ctx.backendPorts.map((p) => `http://127.0.0.1:${p}`).join(",");
  const child = ctx.registry.spawn(
    name,
    NODE,
    [
      ...profilerFlags(ctx, name),
      join("bench", "peers", file),
      "--port",
      String(port),
      "--backends",
      backends,
    ],
    { cwd: ROOT, env: { ...process.env, NODE_ENV: "production" } },
  );
  return started(ctx, name, "peer", port, child);
}
