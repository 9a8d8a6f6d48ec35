/**
 * The fastest plain Node proxy we know how to write: one `undici.Pool` per backend, the response
 * streamed straight into the client response with `pool.stream` (no intermediate Readable), round-robin.
 * Usage: node bench/peers/undici-peer.ts --port P --backends http://127.0.0.1:A,http://...
 */
import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Pool } from "undici";
import type { Dispatcher } from "undici";
import { CLIENT_KEEP_ALIVE_MS, exitOnSignals, peerArgs } from "./peer-args.ts";

/** RFC 9110 §7.6.1 hop-by-hop headers; undici also rejects several of them outright. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
]);

function endToEnd(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>) {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** The response travels as `opaque`, so no closure is allocated per request. */
function factory({
  statusCode,
  headers,
  opaque,
}: Dispatcher.StreamFactoryData<ServerResponse>): ServerResponse {
  opaque.writeHead(statusCode, endToEnd(headers));
  return opaque;
}

function onDone(error: Error | null, { opaque }: Dispatcher.StreamData<ServerResponse>): void {
  if (error === null) return;
  if (!opaque.headersSent) opaque.writeHead(502).end();
  else opaque.destroy();
}

const { port, backends } = peerArgs();
const pools = backends.map((origin) => new Pool(origin, { pipelining: 1 }));

let next = 0;
function handle(req: IncomingMessage, res: ServerResponse): void {
  const pool = pools[next]!;
  next = (next + 1) % pools.length;
  const bodyless = req.method === "GET" || req.method === "HEAD";
  pool.stream<ServerResponse>(
    {
      path: req.url ?? "/",
      method: req.method ?? "GET",
      headers: endToEnd(req.headers),
      body: bodyless ? null : req,
      opaque: res,
    },
    factory,
    onDone,
  );
}

const server = createServer(handle);
server.keepAliveTimeout = CLIENT_KEEP_ALIVE_MS;
server.listen(port, "127.0.0.1", () => process.stdout.write(`listening on ${port}\n`));
exitOnSignals();
