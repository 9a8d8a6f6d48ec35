import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

/** Short so the test is quick; the default is 60 s (docs/configuration.md). */
const HEADERS_TIMEOUT_MS = 1000;
/**
 * Before traceway set Node's connectionsCheckingInterval, an expired client could hold its socket
 * up to 30 s past the timeout. Five times the timeout separates the two on any machine.
 */
const CUT_WITHIN_MS = 5 * HEADERS_TIMEOUT_MS;
const SLOW_CLIENTS = 5;

/** A client that sends a request head one byte every 100 ms and never finishes it. */
function slowloris(port: number): Promise<{ answer: string; openMs: number }> {
  const head = "GET / HTTP/1.1\r\nHost: lb.test\r\nX-Padding: ";
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let sent = 0;
    const timer = setInterval(() => socket.write(sent < head.length ? head[sent++]! : "a"), 100);
    socket.on("data", (c: Buffer) => (answer += c.toString()));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ answer, openMs: performance.now() - started });
    });
  });
}

function connections(lb: RunningBalancer): Promise<number> {
  return new Promise((resolve, reject) =>
    lb.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
  );
}

/** One GET on an open keep-alive socket; resolves the status line once the (chunked) answer is in. */
function getOn(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let answer = "";
    const onData = (c: Buffer): void => {
      answer += c.toString();
      if (answer.endsWith("\r\n0\r\n\r\n")) {
        socket.off("data", onData);
        resolve(answer.split("\r\n")[0] ?? "");
      }
    };
    socket.on("data", onData);
    socket.write("GET / HTTP/1.1\r\nHost: lb.test\r\n\r\n");
  });
}

for (const transport of TRANSPORTS)
  describe(`slowloris: server.headersTimeout (${transport})`, () => {
    let backend: TestBackend;
    let lb: RunningBalancer;
    before(async () => {
      backend = await startBackend("a");
      lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], {
          transport,
          headersTimeoutMs: HEADERS_TIMEOUT_MS,
        }),
      });
    });
    after(async () => {
      await lb.close();
      await backend.kill();
    });

    it(
      "cuts clients that trickle their headers with 408, and keeps an idle keep-alive client",
      { timeout: 60_000 },
      async () => {
        const idle = connect(lb.port, "127.0.0.1");
        await new Promise((resolve) => idle.once("connect", resolve));
        let idleClosed = false;
        idle.on("close", () => (idleClosed = true));
        assert.equal(await getOn(idle), "HTTP/1.1 200 OK");

        const cut = await Promise.all(Array.from({ length: SLOW_CLIENTS }, () => slowloris(lb.port)));
        for (const { answer, openMs } of cut) {
          assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
          assert.match(answer, /"code":"TRACEWAY_ERR_BAD_REQUEST"/);
          // Timers may fire a little early by a fresh performance.now() reading.
          assert.ok(
            openMs >= HEADERS_TIMEOUT_MS - 50,
            `cut after ${openMs.toFixed(0)} ms, before the timeout`,
          );
          assert.ok(openMs < CUT_WITHIN_MS, `open for ${openMs.toFixed(0)} ms, past the timeout`);
        }
        assert.equal(backend.requests.length, 1, "only the idle client's request reached the backend");

        // The idle keep-alive client sent its headers long ago: the timeout is not for it.
        assert.equal(idleClosed, false);
        assert.equal(await getOn(idle), "HTTP/1.1 200 OK");
        assert.equal(await connections(lb), 1, "no slow client's socket is left open");
        idle.destroy();
        await waitFor(async () => (await connections(lb)) === 0, {
          what: "the balancer to see the idle client go",
          timeoutMs: 5000,
          intervalMs: 20,
        });
      },
    );
  });
