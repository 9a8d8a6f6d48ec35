/**
 * What `npm run stack` runs, as data: the infrastructure the project's service scripts start and the
 * application processes the stack starts itself. Each component carries the docker-compose.yml service
 * it stands for, so test/integration/stack/compose-topology.test.ts can hold the two to one topology.
 */
import { join } from "node:path";
import { RUNTIME_FLAGS } from "../../src/run/runtime-flags.ts";
import type { StackPorts } from "./ports.ts";

/** Services started by scripts/services.sh (jaeger through scripts/jaeger.sh), in start order. */
export const INFRA = ["kafka", "etcd", "jaeger", "prometheus", "alertmanager"] as const;
export type InfraName = (typeof INFRA)[number];

/** The Kafka topic, consumer group and etcd prefix of the example system. */
export const TOPIC = "orders";
export const GROUP = "orders-worker";
export const PREFIX = "/services/api/";
export const GIN_INSTANCES = ["gin-1", "gin-2", "gin-3"] as const;
export const WORKERS = ["kafka-worker-1", "kafka-worker-2"] as const;

/** Where the stack keeps its state; everything is below `dir`. */
export interface StackLayout {
  readonly root: string;
  readonly dir: string;
  readonly ports: StackPorts;
}

export const logsDir = (dir: string): string => join(dir, "logs");
export const runDir = (dir: string): string => join(dir, "run");
export const dataDir = (dir: string): string => join(dir, "data");
export const configDir = (dir: string): string => join(dir, "config");
export const servicesDir = (dir: string): string => join(dir, "services");

/** One process the stack starts, supervises by pid file and stops. */
export interface AppProcess {
  /** Also its docker-compose.yml service name. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** A string of its command line that tells this process from a recycled pid. */
  readonly marker: string;
  /** GET answers 2xx once it is ready; undefined: ready once running. */
  readonly readyUrl: string | undefined;
  /** What `up` prints for it. */
  readonly urls: readonly { readonly label: string; readonly url: string }[];
  /** Started only when true (the load can be switched off). */
  readonly enabled: boolean;
}

const local = (port: number): string => `127.0.0.1:${port}`;
const http = (port: number, path = ""): string => `http://${local(port)}${path}`;

function ginProcess(layout: StackLayout, ginBinary: string, index: number): AppProcess {
  const { ports, dir } = layout;
  const name = GIN_INSTANCES[index] ?? `gin-${index + 1}`;
  const port = [ports.gin1, ports.gin2, ports.gin3][index] ?? 0;
  const db = join(dataDir(dir), `${name}.db`);
  return {
    name,
    command: ginBinary,
    args: [
      ...["--listen", local(port), "--etcd", http(ports.etcd), "--prefix", PREFIX],
      ...["--kafka", local(ports.kafka), "--topic", TOPIC, "--otlp", http(ports.jaegerOtlpHttp)],
      ...["--service-name", "gin-service", "--instance-id", name, "--db", db],
    ],
    env: {},
    marker: db,
    readyUrl: http(port, "/healthz"),
    urls: [{ label: `${name} (API and /metrics)`, url: http(port) }],
    enabled: true,
  };
}

function workerProcess(layout: StackLayout, node: string, index: number): AppProcess {
  const { ports, root } = layout;
  const name = WORKERS[index] ?? `kafka-worker-${index + 1}`;
  const port = [ports.worker1, ports.worker2][index] ?? 0;
  return {
    name,
    command: node,
    // "development": traceway/interceptors resolves to this checkout's TypeScript, no build needed.
    args: [
      "--conditions=development",
      join(root, "examples", "kafka-worker", "worker.ts"),
      ...["--brokers", local(ports.kafka), "--topic", TOPIC, "--group", GROUP],
      ...["--metrics-port", String(port), "--otlp", http(ports.jaegerOtlpHttp)],
      ...["--lag-interval-ms", "5000"],
    ],
    env: {},
    marker: `--metrics-port ${port}`,
    readyUrl: http(port, "/metrics"),
    urls: [{ label: `${name} metrics`, url: http(port, "/metrics") }],
    enabled: true,
  };
}

/** The application processes, in start order (stopped in reverse). */
export function appProcesses(layout: StackLayout, ginBinary: string, load: boolean): AppProcess[] {
  const { ports, root } = layout;
  const node = join(root, "node_modules", ".bin", "node");
  const stackExamples = join(root, "examples", "stack");
  const tracewayConfig = join(stackExamples, "traceway.yaml");
  return [
    {
      name: "alert-webhook",
      command: node,
      args: [join(stackExamples, "alert-webhook.ts"), "--listen", local(ports.alertWebhook)],
      env: {},
      marker: `alert-webhook.ts --listen ${local(ports.alertWebhook)}`,
      readyUrl: http(ports.alertWebhook, "/healthz"),
      urls: [{ label: "alert webhook (on-call, ticket-queue)", url: http(ports.alertWebhook, "/received") }],
      enabled: true,
    },
    ...GIN_INSTANCES.map((_, i) => ginProcess(layout, ginBinary, i)),
    ...WORKERS.map((_, i) => workerProcess(layout, node, i)),
    {
      name: "traceway",
      command: node,
      args: [...RUNTIME_FLAGS, join(root, "src", "cli.ts"), "--config", tracewayConfig],
      env: {
        TRACEWAY_LISTEN: local(ports.traceway),
        TRACEWAY_METRICS_LISTEN: local(ports.tracewayMetrics),
        ETCD_ENDPOINT: http(ports.etcd),
        OTLP_ENDPOINT: http(ports.jaegerOtlpHttp),
      },
      marker: tracewayConfig,
      readyUrl: http(ports.tracewayMetrics, "/metrics"),
      urls: [
        { label: "traceway", url: http(ports.traceway) },
        { label: "traceway metrics", url: http(ports.tracewayMetrics, "/metrics") },
      ],
      enabled: true,
    },
    {
      name: "load",
      command: node,
      args: [join(stackExamples, "load.ts"), "--target", http(ports.traceway)],
      env: {},
      marker: `load.ts --target ${http(ports.traceway)}`,
      readyUrl: undefined,
      urls: [],
      enabled: load,
    },
  ];
}

/**
 * host:port as docker-compose.yml's containers reach each other → the same endpoint in the native
 * stack. Prometheus' scrape targets and Alertmanager's webhooks are translated through it.
 */
export function composeAddresses(ports: StackPorts): ReadonlyMap<string, string> {
  return new Map([
    ["traceway:8080", local(ports.traceway)],
    ["traceway:9464", local(ports.tracewayMetrics)],
    ["gin-1:8080", local(ports.gin1)],
    ["gin-2:8080", local(ports.gin2)],
    ["gin-3:8080", local(ports.gin3)],
    ["kafka-worker-1:9464", local(ports.worker1)],
    ["kafka-worker-2:9464", local(ports.worker2)],
    ["prometheus:9090", local(ports.prometheus)],
    ["alertmanager:9093", local(ports.alertmanager)],
    ["alert-webhook:9095", local(ports.alertWebhook)],
    ["jaeger:4318", local(ports.jaegerOtlpHttp)],
    ["jaeger:16686", local(ports.jaegerUi)],
    ["etcd:2379", local(ports.etcd)],
    ["kafka:9092", local(ports.kafka)],
  ]);
}

/** Environment for scripts/services.sh and scripts/jaeger.sh: the stack's own folder, ports and configs. */
export function infraEnv(layout: StackLayout): Record<string, string> {
  const { ports, dir } = layout;
  return {
    TRACEWAY_SERVICES_DIR: servicesDir(dir),
    TRACEWAY_KAFKA_PORT: String(ports.kafka),
    TRACEWAY_KAFKA_CONTROLLER_PORT: String(ports.kafkaController),
    TRACEWAY_ETCD_PORT: String(ports.etcd),
    TRACEWAY_ETCD_PEER_PORT: String(ports.etcdPeer),
    TRACEWAY_PROMETHEUS_PORT: String(ports.prometheus),
    TRACEWAY_PROMETHEUS_CONFIG: join(configDir(dir), "prometheus.yml"),
    TRACEWAY_ALERTMANAGER_PORT: String(ports.alertmanager),
    TRACEWAY_ALERTMANAGER_CONFIG: join(configDir(dir), "alertmanager.yml"),
    // Relative, as scripts/jaeger.sh runs it from the repository: the tail marks the stack's Jaeger.
    TRACEWAY_JAEGER_CONFIG: "scripts/stack/jaeger.yaml",
    TRACEWAY_JAEGER_OTLP_GRPC_PORT: String(ports.jaegerOtlpGrpc),
    TRACEWAY_JAEGER_OTLP_HTTP_PORT: String(ports.jaegerOtlpHttp),
    TRACEWAY_JAEGER_QUERY_HTTP_PORT: String(ports.jaegerUi),
    TRACEWAY_JAEGER_QUERY_GRPC_PORT: String(ports.jaegerQueryGrpc),
    TRACEWAY_JAEGER_HEALTH_PORT: String(ports.jaegerHealth),
  };
}

/** What `up` prints for the infrastructure. */
export function infraUrls(ports: StackPorts): { label: string; url: string }[] {
  return [
    { label: "Prometheus", url: http(ports.prometheus) },
    { label: "Alertmanager", url: http(ports.alertmanager) },
    { label: "Jaeger UI", url: http(ports.jaegerUi) },
    { label: "Jaeger OTLP/HTTP", url: http(ports.jaegerOtlpHttp) },
    { label: "etcd", url: http(ports.etcd) },
    { label: "Kafka bootstrap", url: local(ports.kafka) },
  ];
}
