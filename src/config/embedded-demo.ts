import type { TracewayConfig } from "./types.ts";
import { validateConfig } from "./validate.ts";

/** Ports of the embedded demo's processes; `host` (default 127.0.0.1) is where the balancer listens. */
export interface DemoPorts {
  readonly balancer: number;
  readonly backends: readonly number[];
  readonly metrics: number;
  /** The admin listener (status page at `/`, API under `/api/v1`), on 127.0.0.1. */
  readonly admin: number;
  readonly host?: string;
}

/**
 * The configuration `npm start` runs without `--config`: the given demo backends round robin,
 * active health checks on `/healthz` every 2 s, Prometheus on 127.0.0.1:<metrics>/metrics,
 * traces off (no collector is assumed), the admin listener with its status page on
 * 127.0.0.1:<admin> (reads open to loopback, writes with `adminToken`). Written as a config file would be and passed through
 * the same validator, so the demo cannot drift from what users can write.
 */
export function demoConfig(ports: DemoPorts, adminToken: string): TracewayConfig {
  const file = {
    server: { listen: `${ports.host ?? "127.0.0.1"}:${ports.balancer}`, shutdownTimeout: "5s" },
    upstreams: {
      demo: {
        strategy: "round_robin",
        backends: ports.backends.map((port) => ({ url: `http://127.0.0.1:${port}` })),
        healthCheck: { path: "/healthz", interval: "2s", timeout: "1s" },
      },
    },
    routes: [{ match: { pathPrefix: "/" }, upstream: "demo" }],
    telemetry: {
      serviceName: "traceway-demo",
      prometheus: { enabled: true, listen: `127.0.0.1:${ports.metrics}`, path: "/metrics" },
      traces: { enabled: false },
    },
    logging: { level: "info", accessLog: true, format: "json" },
    admin: {
      listen: `127.0.0.1:${ports.admin}`,
      token: adminToken,
      tokenName: "demo",
      readAccess: "loopback",
    },
  };
  return validateConfig(file, "embedded demo").config;
}
