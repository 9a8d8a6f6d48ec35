import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A real HTTP server on an ephemeral loopback port that records what it received. */
export interface TestBackend {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Requests received, in order. */
  readonly requests: IncomingMessage[];
  /** Stop listening and drop every connection (a crashed backend). */
  kill(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, backend: TestBackend) => void;

const answerWithName: Handler = (req, res, backend) => {
  req.resume();
  res.writeHead(200, { "content-type": "text/plain", "x-backend": backend.name }).end(backend.name);
};

export async function startBackend(name: string, handler: Handler = answerWithName): Promise<TestBackend> {
  const sockets = new Set<Socket>();
  const requests: IncomingMessage[] = [];
  const server = createServer();
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const backend: TestBackend = {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    requests,
    kill: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req);
    handler(req, res, backend);
  });
  return backend;
}

/** A port that nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
