/**
 * The ports of `npm run stack`. The defaults are the well-known ones docker-compose.yml publishes, so
 * a user's bookmarks work with either; `--port-offset N` (TRACEWAY_STACK_PORT_OFFSET) moves them all,
 * and TRACEWAY_STACK_PORT_<NAME> (e.g. TRACEWAY_STACK_PORT_TRACEWAY=8000) moves one.
 */
export const DEFAULT_PORTS = {
  traceway: 8080,
  tracewayMetrics: 9464,
  prometheus: 9090,
  alertmanager: 9093,
  jaegerUi: 16686,
  jaegerOtlpHttp: 4318,
  jaegerOtlpGrpc: 4317,
  jaegerQueryGrpc: 16685,
  jaegerHealth: 13133,
  etcd: 2379,
  etcdPeer: 2380,
  kafka: 9092,
  // 9093 (compose's in-container controller port) is Alertmanager's here, on the one loopback.
  kafkaController: 9094,
  gin1: 8081,
  gin2: 8082,
  gin3: 8083,
  worker1: 9465,
  worker2: 9466,
  alertWebhook: 9095,
} as const;

export type PortName = keyof typeof DEFAULT_PORTS;
export type StackPorts = Readonly<Record<PortName, number>>;

/** TRACEWAY_STACK_PORT_JAEGER_OTLP_HTTP for jaegerOtlpHttp. */
export function portVariable(name: PortName): string {
  return `TRACEWAY_STACK_PORT_${name.replace(/[A-Z0-9]+/g, (m) => `_${m}`).toUpperCase()}`;
}

function parsePort(what: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 65535) {
    throw new Error(`${what}=${JSON.stringify(raw)}: want a port from 1 to 65535`);
  }
  return value;
}

/** The stack's ports: the defaults moved by `offset`, then single ports from the environment. */
export function resolvePorts(offset: number, env: NodeJS.ProcessEnv): StackPorts {
  const ports = {} as Record<PortName, number>;
  for (const [name, port] of Object.entries(DEFAULT_PORTS) as [PortName, number][]) {
    const variable = portVariable(name);
    const raw = env[variable];
    ports[name] = raw === undefined || raw === "" ? port + offset : parsePort(variable, raw);
    if (ports[name] > 65535) throw new Error(`--port-offset ${offset} moves ${name} past 65535`);
  }
  const seen = new Map<number, PortName>();
  for (const [name, port] of Object.entries(ports) as [PortName, number][]) {
    const other = seen.get(port);
    if (other !== undefined) throw new Error(`ports of ${other} and ${name} are both ${port}`);
    seen.set(port, name);
  }
  return ports;
}
