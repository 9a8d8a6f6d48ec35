/**
 * The example system's two alert receivers in one tiny server: Alertmanager posts P0 notifications to
 * /on-call and P1/P2 ones to /ticket-queue (dashboards/alertmanager.yml). It stands in for a pager and
 * a ticket system: every alert becomes one JSON log line, and GET /received lists the latest ones.
 *
 *   node examples/stack/alert-webhook.ts --listen 127.0.0.1:9095
 */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseArgs } from "node:util";

const RECEIVERS = new Set(["on-call", "ticket-queue"]);
const KEEP = 200;
const MAX_BODY = 1024 * 1024;

/** The fields of Alertmanager's webhook payload (version 4) this receiver reads. */
interface Notification {
  status?: string;
  alerts?: {
    status?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    startsAt?: string;
  }[];
}

interface Received {
  readonly receivedAt: string;
  readonly receiver: string;
  readonly status: string;
  readonly alertname: string;
  readonly severity: string;
  readonly summary: string;
  readonly runbook_url: string;
  readonly labels: Record<string, string>;
}

const received: Received[] = [];

function line(level: string, msg: string, fields: object): void {
  const entry = { timestamp: new Date().toISOString(), level, service_name: "alert-webhook", msg, ...fields };
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) reject(new Error("body over 1 MiB"));
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

async function receive(receiver: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let notification: Notification;
  try {
    notification = JSON.parse(await readBody(req)) as Notification;
  } catch (error) {
    res
      .writeHead(400, { "content-type": "application/json" })
      .end(JSON.stringify({ error: (error as Error).message }));
    return;
  }
  for (const alert of notification.alerts ?? []) {
    const labels = alert.labels ?? {};
    const entry: Received = {
      receivedAt: new Date().toISOString(),
      receiver,
      status: alert.status ?? notification.status ?? "unknown",
      alertname: labels["alertname"] ?? "",
      severity: labels["severity"] ?? "",
      summary: alert.annotations?.["summary"] ?? "",
      runbook_url: alert.annotations?.["runbook_url"] ?? "",
      labels,
    };
    received.push(entry);
    if (received.length > KEEP) received.shift();
    const { labels: _labels, receivedAt: _at, ...fields } = entry;
    line(entry.status === "firing" ? "warn" : "info", `alert ${entry.status}`, fields);
  }
  res.writeHead(200).end();
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://receiver");
  const receiver = url.pathname.slice(1);
  if (req.method === "POST" && RECEIVERS.has(receiver)) {
    receive(receiver, req, res).catch((error: unknown) => {
      line("error", "notification not read", { receiver, error_message: String(error) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  } else if (req.method === "GET" && url.pathname === "/received") {
    const only = url.searchParams.get("receiver");
    const body = received.filter((r) => only === null || r.receiver === only);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  } else if (req.method === "GET" && url.pathname === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
  } else {
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
  }
}

function listenAddress(argv: string[]): { host: string; port: number } {
  const { values } = parseArgs({ args: argv, options: { listen: { type: "string" } }, strict: true });
  const raw = values.listen ?? process.env["ALERT_WEBHOOK_LISTEN"] ?? "127.0.0.1:9095";
  const match = /^(.*):(\d+)$/.exec(raw);
  const port = Number(match?.[2]);
  if (match === null || port > 65535) throw new Error(`--listen ${JSON.stringify(raw)}: want host:port`);
  return { host: match[1] ?? "", port };
}

let address: { host: string; port: number };
try {
  address = listenAddress(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`alert-webhook: ${(error as Error).message}\n`);
  process.exit(2);
}
const server = createServer(handle);
server.listen(address.port, address.host, () =>
  line("info", "listening", { address: `${address.host}:${address.port}` }),
);
const stop = (): void => {
  line("info", "stopped", {});
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
