/**
 * The floor of the library traceway's default transport is built on: `http-proxy`'s `web()` with a
 * keep-alive agent, round-robin over the backends, nothing else (no routing, retries or telemetry).
 * Usage: node bench/peers/http-proxy-peer.ts --port P --backends http://127.0.0.1:A,http://...
 */
import { Agent, createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import httpProxy from "http-proxy";
import { CLIENT_KEEP_ALIVE_MS, exitOnSignals, peerArgs } from "./peer-args.ts";

const { port, backends } = peerArgs();
// maxFreeSockets 64 mirrors the nginx target's `keepalive 64`.
const agent = new Agent({ keepAlive: true, maxFreeSockets: 64 });
const proxy = httpProxy.createProxyServer({ agent });
proxy.on("error", (_error: Error, _req: IncomingMessage, res: ServerResponse | Socket) => {
  if ("writeHead" in res && !res.headersSent) res.writeHead(502).end();
  else res.destroy();
});

let next = 0;
const server = createServer((req, res) => {
  const target = backends[next]!;
  next = (next + 1) % backends.length;
  proxy.web(req, res, { target });
});
server.keepAliveTimeout = CLIENT_KEEP_ALIVE_MS;
server.listen(port, "127.0.0.1", () => process.stdout.write(`listening on ${port}\n`));
exitOnSignals();
