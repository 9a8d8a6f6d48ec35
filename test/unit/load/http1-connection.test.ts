import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { after, before, test } from "node:test";
import { Http1Connection } from "../../../src/load/http1-connection.ts";
import { buildRequest } from "../../../src/load/request-spec.ts";
import { closedPort } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";

let server: Server;
let base: string;
const sockets = new Set<Socket>();
let connections = 0;

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url === "/close") res.writeHead(200, { connection: "close", "content-length": 2 }).end("ok");
    else if (req.url === "/chunked") {
      res.writeHead(200);
      res.write("abc");
      setImmediate(() => res.end("defg"));
    } else if (req.url === "/slow") setTimeout(() => res.end("late"), 2000);
    else
      res
        .writeHead(req.method === "HEAD" ? 200 : 201, { "content-length": 5 })
        .end(req.method === "HEAD" ? undefined : "hello");
  });
  server.on("connection", (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

/** Sends `count` requests one after another on one connection; resolves with [status | error] each. */
function sequence(url: string, count: number, method = "GET"): Promise<Array<number | string>> {
  const spec = buildRequest({ url, method, headers: [], body: undefined, insecure: false });
  const results: Array<number | string> = [];
  return new Promise((resolve) => {
    const connection = new Http1Connection(spec.target, spec.bytes, spec.noBody, (c, status, error) => {
      results.push(error ?? status);
      if (results.length < count) c.send(performance.now());
      else {
        c.close();
        resolve(results);
      }
    });
    connection.send(performance.now());
  });
}

test("keep-alive: many requests, one connection", async () => {
  const before = connections;
  assert.deepEqual(await sequence(`${base}/`, 50), Array(50).fill(201));
  assert.equal(connections - before, 1);
});

test("Connection: close: the next request opens a new connection and succeeds", async () => {
  const before = connections;
  assert.deepEqual(await sequence(`${base}/close`, 5), Array(5).fill(200));
  assert.equal(connections - before, 5);
});

test("chunked bodies and HEAD responses complete", async () => {
  assert.deepEqual(await sequence(`${base}/chunked`, 3), [200, 200, 200]);
  assert.deepEqual(await sequence(`${base}/`, 3, "HEAD"), [200, 200, 200]);
});

test("an idle connection the server closed is replaced on the next send, without an error", async () => {
  const spec = buildRequest({
    url: `${base}/`,
    method: "GET",
    headers: [],
    body: undefined,
    insecure: false,
  });
  const results: Array<number | string> = [];
  let done: () => void = () => {};
  const connection = new Http1Connection(spec.target, spec.bytes, spec.noBody, (_c, status, error) => {
    results.push(error ?? status);
    done();
  });
  await new Promise<void>((resolve) => ((done = resolve), connection.send(performance.now())));
  const idle = [...sockets];
  for (const socket of idle) socket.destroy(); // the server's keep-alive timeout, early
  await waitFor(() => !connection.connected, { what: "the client to see the server's close" });
  await new Promise<void>((resolve) => ((done = resolve), connection.send(performance.now())));
  connection.close();
  assert.deepEqual(results, [201, 201]);
});

test("a refused connection and a timed-out request end with their error names", async () => {
  assert.deepEqual(await sequence(`http://127.0.0.1:${await closedPort()}/`, 2), [
    "ECONNREFUSED",
    "ECONNREFUSED",
  ]);
  const spec = buildRequest({
    url: `${base}/slow`,
    method: "GET",
    headers: [],
    body: undefined,
    insecure: false,
  });
  const outcome = await new Promise<string | number>((resolve) => {
    const connection = new Http1Connection(spec.target, spec.bytes, spec.noBody, (_c, status, error) =>
      resolve(error ?? status),
    );
    connection.send(performance.now());
    setTimeout(() => connection.abort("timeout"), 100);
  });
  assert.equal(outcome, "timeout");
});
