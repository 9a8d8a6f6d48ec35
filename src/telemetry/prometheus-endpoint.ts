import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { prometheusCompatibleHandler } from "../../interceptors/balancer-entry.ts";
import type { MetricCollector } from "../../interceptors/balancer-entry.ts";

export type { MetricCollector };

/** The scrape endpoint, listening. */
export interface PrometheusEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the Prometheus text format on `host:port` + `path`, with the OpenTelemetry compatibility
 * names (unit suffixes: `http_server_request_duration_seconds`), the names a Collector or the Go
 * exporter give the same instruments. Our own server rather than the exporter's: the exporter
 * turns port 0 into 9464 (`port || 9464`), we need an ephemeral port in tests and the bound
 * address for `metricsUrl`, and its handler writes names without unit suffixes.
 */
export async function servePrometheus(
  exporter: MetricCollector,
  listen: { readonly host: string; readonly port: number; readonly path: string },
): Promise<PrometheusEndpoint> {
  const path = listen.path.startsWith("/") ? listen.path : `/${listen.path}`;
  const scrape = prometheusCompatibleHandler(exporter);
  const server: Server = createServer((req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    if ((q === -1 ? url : url.slice(0, q)) === path && (req.method === "GET" || req.method === "HEAD")) {
      scrape(req, res);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const urlHost = host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host;
  return {
    url: `http://${urlHost}:${address.port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
