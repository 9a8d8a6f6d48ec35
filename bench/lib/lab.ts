import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { startBackend, startBackends } from "./backends.ts";
import type { Backend } from "./backends.ts";
import { writeBodies } from "./bodies.ts";
import type { ChildRegistry } from "./children.ts";
import { WORK_DIR } from "./layout.ts";
import { startOtlpReceiver } from "./otlp-receiver.ts";
import type { OtlpReceiver } from "./otlp-receiver.ts";
import type { Progress } from "./progress.ts";
import { ACCESS_LOG_TRACEWAY, FAILOVER_TRACEWAY } from "./profile.ts";
import { startCaddy, startHaproxy, startNginxProxy, startPeer, startTraceway } from "./start-targets.ts";
import type { StartContext } from "./start-targets.ts";
import type { Target } from "./target.ts";

/** HAProxy's health check (inter 1 s, rise 2) needs this long to take a restarted backend back. */
const BACKEND_RETURN_MS = 3000;

/** Backends, OTLP receiver and every target, started once and shared by the HTTP sections. */
export interface Lab {
  readonly backends: Backend[];
  readonly targets: readonly Target[];
  readonly receiver: OtlpReceiver;
  /** Crash one backend (SIGKILL), as the failover run needs. */
  killBackend(backend: Backend): Promise<void>;
  /** Start a killed backend again on the same port and give the balancers time to notice. */
  reviveBackend(backend: Backend): Promise<void>;
}

export async function startLab(
  registry: ChildRegistry,
  progress: Progress,
  options: { readonly forceSink: boolean; readonly targets: readonly string[] },
  onReceiver: (receiver: OtlpReceiver) => void,
): Promise<Lab> {
  const www = join(WORK_DIR, "www");
  writeBodies(www);
  progress.update("starting 3 nginx backends");
  const backends = await startBackends(registry, 3, www);
  progress.update("starting the OTLP receiver");
  const receiver = await startOtlpReceiver(options.forceSink, (text) => progress.note(text));
  onReceiver(receiver);
  const ctx: StartContext = {
    registry,
    backendPorts: backends.map((b) => b.port),
    otlpEndpoint: receiver.endpoint,
  };
  const starters: [string, () => Promise<Target>][] = [
    ["traceway off", () => startTraceway(ctx, "traceway off", { metrics: false })],
    [
      "traceway off, http-proxy transport",
      () =>
        startTraceway(ctx, "traceway off, http-proxy transport", { metrics: false, transport: "http-proxy" }),
    ],
    [FAILOVER_TRACEWAY, () => startTraceway(ctx, FAILOVER_TRACEWAY, { metrics: true, sampleRatio: 0.1 })],
    [
      ACCESS_LOG_TRACEWAY,
      () => startTraceway(ctx, ACCESS_LOG_TRACEWAY, { metrics: true, sampleRatio: 0.1, accessLog: true }),
    ],
    [
      "traceway metrics + 10% traces, http-proxy transport",
      () =>
        startTraceway(ctx, "traceway metrics + 10% traces, http-proxy transport", {
          metrics: true,
          sampleRatio: 0.1,
          transport: "http-proxy",
        }),
    ],
    [
      "traceway metrics + 100% traces",
      () => startTraceway(ctx, "traceway metrics + 100% traces", { metrics: true, sampleRatio: 1 }),
    ],
    ["nginx", () => startNginxProxy(ctx)],
    ["HAProxy", () => startHaproxy(ctx)],
    ["Caddy", () => startCaddy(ctx)],
    ["http-proxy peer", () => startPeer(ctx, "http-proxy peer", "http-proxy-peer.ts")],
    ["undici peer", () => startPeer(ctx, "undici peer", "undici-peer.ts")],
  ];
  const unknown = options.targets.filter((t) => !starters.some(([name]) => name === t));
  if (unknown.length > 0)
    throw new Error(
      `unknown --target ${unknown.join(", ")}; targets: ${starters.map(([n]) => n).join("; ")}`,
    );
  const targets: Target[] = [];
  for (const [name, start] of starters) {
    if (options.targets.length > 0 && !options.targets.includes(name)) continue;
    progress.update(`starting ${name}`);
    const target = await start();
    if (target.failure !== undefined) progress.note(`${name}: ${target.failure}`);
    targets.push(target);
  }
  return {
    backends,
    targets,
    receiver,
    killBackend: (backend) => registry.kill(backend.child),
    reviveBackend: async (backend) => {
      // A failover run that could not start never killed it; its port is still taken.
      if (backend.child.exitReason() === undefined) return;
      backend.child = await startBackend(registry, backend.port, www);
      await delay(BACKEND_RETURN_MS);
    },
  };
}
