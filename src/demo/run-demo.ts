import { demoConfig } from "../config/embedded-demo.ts";
import { startDemoBackend } from "./demo-backends.ts";
import { runBalancer } from "../run/run-balancer.ts";

const DEMO_PORT = Number(process.env.TRACEWAY_DEMO_PORT ?? 8080);
const DEMO_METRICS_PORT = Number(process.env.TRACEWAY_DEMO_METRICS_PORT ?? 9464);

/**
 * `npm start` with no arguments: three demo backends in this process, the balancer in front of
 * them round-robin, Prometheus metrics, no external services.
 */
export async function runDemo(): Promise<void> {
  const backends = await Promise.all(["demo-1", "demo-2", "demo-3"].map((name) => startDemoBackend(name)));
  const config = demoConfig({
    balancer: DEMO_PORT,
    backends: backends.map((b) => b.port),
    metrics: DEMO_METRICS_PORT,
  });
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
    `  try:       curl ${running.balancer.url}/   (three times: three different backends)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
