import { randomBytes } from "node:crypto";
import { demoConfig } from "../config/embedded-demo.ts";
import { startDemoBackend } from "./demo-backends.ts";
import { runBalancer } from "../run/run-balancer.ts";

const DEMO_PORT = Number(process.env.TRACEWAY_DEMO_PORT ?? 8080);
const DEMO_METRICS_PORT = Number(process.env.TRACEWAY_DEMO_METRICS_PORT ?? 9464);
const DEMO_ADMIN_PORT = Number(process.env.TRACEWAY_DEMO_ADMIN_PORT ?? 9901);

/**
 * `npm start` with no arguments: three demo backends in this process, the balancer in front of
 * them round-robin, Prometheus metrics, the status page and admin API, no external services.
 * The admin token is TRACEWAY_ADMIN_TOKEN or, by default, a fresh random one printed for this run
 * only: the listener is loopback-only and reads need no token there, so only writes use it.
 */
export async function runDemo(): Promise<void> {
  const backends = await Promise.all(["demo-1", "demo-2", "demo-3"].map((name) => startDemoBackend(name)));
  const token = process.env.TRACEWAY_ADMIN_TOKEN ?? randomBytes(18).toString("base64url");
  const config = demoConfig(
    {
      balancer: DEMO_PORT,
      backends: backends.map((b) => b.port),
      metrics: DEMO_METRICS_PORT,
      admin: DEMO_ADMIN_PORT,
    },
    token,
  );
  const running = await runBalancer(config, {
    onStopped: async () => {
      await Promise.all(backends.map((b) => b.close()));
    },
  });
  const lines = [
    "traceway embedded demo",
    `  balancer:  ${running.balancer.url}/   (round robin over ${backends.length} demo backends)`,
    ...backends.map((b) => `  backend:   ${b.url}  (${b.name})`),
    running.metricsUrl ? `  metrics:   ${running.metricsUrl}` : "  metrics:   off",
    `  status:    ${running.adminUrl() ?? "off"}/   (the live status page; admin API under /api/v1)`,
    `  token:     ${process.env.TRACEWAY_ADMIN_TOKEN === undefined ? token : "$TRACEWAY_ADMIN_TOKEN"}   (Authorization: Bearer, for admin writes)`,
    `  try:       curl ${running.balancer.url}/   (three times: three different backends)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
