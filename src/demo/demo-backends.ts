import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A small in-process HTTP service that says who it is: the embedded demo's backends. */
export interface DemoBackend {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** Requests served, health checks excluded. */
  served(): number;
  close(): Promise<void>;
}

export async function startDemoBackend(name: string, host = "127.0.0.1", port = 0): Promise<DemoBackend> {
  let served = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    served++;
    const body = JSON.stringify({
      backend: name,
      method: req.method,
      path: req.url,
      forwardedFor: req.headers["x-forwarded-for"] ?? null,
      traceparent: req.headers.traceparent ?? null,
    });
    res.writeHead(200, { "content-type": "application/json", "x-backend": name }).end(`${body}\n`);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    name,
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    served: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
