import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { startNginx, type NginxPeer } from "../../helpers/nginx.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

/**
 * Requests whose framing a proxy and a backend could read differently (request smuggling), or that
 * RFC 9112 says a server must refuse, sent as raw bytes. `status` is traceway's answer on every
 * transport. A refused request must not reach the backend at all when the problem is in its head;
 * when it is in a chunked body, the head may already be on its way (bodies stream, they are not
 * buffered), but the backend never gets the request whole. The same bytes go to nginx 1.22 as a
 * peer; its answers are printed next to traceway's (docs/proxying.md#hardening), not asserted.
 */
interface Case {
  readonly name: string;
  readonly status: number;
  /** The problem is in the chunked body, after a head that is fine. */
  readonly inBody?: boolean;
  readonly bytes: (path: string) => string;
}

const post = (path: string, headers: string, body: string): string =>
  `POST ${path} HTTP/1.1\r\nHost: lb.test\r\n${headers}\r\n${body}`;
const chunked = (path: string, te: string): string =>
  post(path, `Transfer-Encoding: ${te}\r\n`, "5\r\nhello\r\n0\r\n\r\n");
const withBody = (path: string, body: string): string => post(path, "Transfer-Encoding: chunked\r\n", body);

const CASES: readonly Case[] = [
  {
    name: "Content-Length with Transfer-Encoding: chunked",
    status: 400,
    bytes: (p) => post(p, "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
  },
  {
    name: "Transfer-Encoding: chunked, then Content-Length",
    status: 400,
    bytes: (p) => post(p, "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"),
  },
  {
    name: "two equal Content-Length lines",
    status: 400,
    bytes: (p) => post(p, "Content-Length: 5\r\nContent-Length: 5\r\n", "hello"),
  },
  {
    name: "two differing Content-Length lines",
    status: 400,
    bytes: (p) => post(p, "Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"),
  },
  { name: "Content-Length: 5, 5", status: 400, bytes: (p) => post(p, "Content-Length: 5, 5\r\n", "hello") },
  { name: "Content-Length: +5", status: 400, bytes: (p) => post(p, "Content-Length: +5\r\n", "hello") },
  {
    name: "Transfer-Encoding: chunked, identity",
    status: 400,
    bytes: (p) => chunked(p, "chunked, identity"),
  },
  {
    name: "Transfer-Encoding: identity, chunked",
    status: 501,
    bytes: (p) => chunked(p, "identity, chunked"),
  },
  { name: "Transfer-Encoding: gzip, chunked", status: 501, bytes: (p) => chunked(p, "gzip, chunked") },
  {
    name: "Transfer-Encoding twice (chunked, identity)",
    status: 400,
    bytes: (p) => post(p, "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", "0\r\n\r\n"),
  },
  { name: "Transfer-Encoding: xchunked", status: 400, bytes: (p) => chunked(p, "xchunked") },
  { name: "Transfer-Encoding: chunkedx", status: 400, bytes: (p) => chunked(p, "chunkedx") },
  {
    name: "Transfer-Encoding: \\vchunked (vertical tab)",
    status: 400,
    bytes: (p) => chunked(p, "\x0bchunked"),
  },
  {
    name: "Transfer-Encoding : chunked (space before colon)",
    status: 400,
    bytes: (p) => post(p, "Transfer-Encoding : chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"),
  },
  {
    name: "Transfer-Encoding: chunked in HTTP/1.0",
    status: 400,
    bytes: (p) =>
      `POST ${p} HTTP/1.0\r\nHost: lb.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  },
  {
    name: "Transfer-Encoding: 'chunked ' (trailing space: OWS, valid)",
    status: 200,
    bytes: (p) => chunked(p, "chunked "),
  },
  {
    name: "Transfer-Encoding:\\tchunked (tab: OWS, valid)",
    status: 200,
    bytes: (p) => post(p, "Transfer-Encoding:\tchunked\r\n", "5\r\nhello\r\n0\r\n\r\n"),
  },
  {
    name: "Transfer-Encoding: CHUNKED (case-insensitive, valid)",
    status: 200,
    bytes: (p) => chunked(p, "CHUNKED"),
  },
  {
    name: "chunk extension 5;a=b (valid)",
    status: 200,
    bytes: (p) => withBody(p, "5;a=b\r\nhello\r\n0\r\n\r\n"),
  },
  {
    name: "chunk size not hex (zz)",
    status: 400,
    inBody: true,
    bytes: (p) => withBody(p, "zz\r\nhello\r\n0\r\n\r\n"),
  },
  {
    name: "chunk size overflowing 64 bits",
    status: 400,
    inBody: true,
    bytes: (p) => withBody(p, "fffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
  },
  {
    name: "chunk size followed by a space",
    status: 400,
    inBody: true,
    bytes: (p) => withBody(p, "5 \r\nhello\r\n0\r\n\r\n"),
  },
  {
    name: "chunk extension with a NUL byte",
    status: 400,
    inBody: true,
    bytes: (p) => withBody(p, "5;a\x00b\r\nhello\r\n0\r\n\r\n"),
  },
  {
    name: "chunk extension ended by a bare LF",
    status: 400,
    inBody: true,
    bytes: (p) => withBody(p, "5;a\nhello\r\n0\r\n\r\n"),
  },
  {
    name: "chunk data longer than its size",
    status: 400,
    inBody: true,
    bytes: (p) => withBody(p, "5\r\nhelloXX\r\n0\r\n\r\n"),
  },
  { name: "bare LF line endings", status: 400, bytes: (p) => `GET ${p} HTTP/1.1\nHost: lb.test\n\n` },
  {
    name: "one header ended by a bare LF",
    status: 400,
    bytes: (p) => `GET ${p} HTTP/1.1\r\nHost: lb.test\nX-A: b\r\n\r\n`,
  },
  {
    name: "bare CR inside the head",
    status: 400,
    bytes: (p) => `GET ${p} HTTP/1.1\r\nHost: lb.test\rX-A: b\r\n\r\n`,
  },
  {
    name: "obs-fold (header continued on the next line)",
    status: 400,
    bytes: (p) => `GET ${p} HTTP/1.1\r\nHost: lb.test\r\nX-A: a\r\n b\r\n\r\n`,
  },
  {
    name: "space in the request target",
    status: 400,
    bytes: (p) => `GET ${p} x HTTP/1.1\r\nHost: lb.test\r\n\r\n`,
  },
  {
    name: "tab in the request target",
    status: 400,
    bytes: (p) => `GET ${p}\tx HTTP/1.1\r\nHost: lb.test\r\n\r\n`,
  },
  {
    name: "two Host headers",
    status: 400,
    bytes: (p) => `GET ${p} HTTP/1.1\r\nHost: lb.test\r\nHost: evil.test\r\n\r\n`,
  },
  { name: "no Host in HTTP/1.1", status: 400, bytes: (p) => `GET ${p} HTTP/1.1\r\n\r\n` },
  {
    name: "Host with a space (lb.test evil.test)",
    status: 400,
    bytes: (p) => `GET ${p} HTTP/1.1\r\nHost: lb.test evil.test\r\n\r\n`,
  },
  {
    name: "NUL byte in a header value",
    status: 400,
    bytes: (p) => `GET ${p} HTTP/1.1\r\nHost: lb.test\r\nX-A: a\x00b\r\n\r\n`,
  },
  {
    name: "space in a header name",
    status: 400,
    bytes: (p) => `GET ${p} HTTP/1.1\r\nHost: lb.test\r\nX A: b\r\n\r\n`,
  },
  {
    name: "headers over 16 KiB",
    status: 431,
    bytes: (p) => `GET ${p} HTTP/1.1\r\nHost: lb.test\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
  },
];

/** Bound for one exchange: every answer closes or completes well within it on a loaded machine. */
const EXCHANGE_TIMEOUT_MS = 10_000;

/**
 * Writes `bytes` on a fresh connection and resolves the status of the answer once the connection
 * closes or the answer is complete (its Content-Length read); 0 when nothing came back.
 */
function exchange(port: number, bytes: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes, "latin1"));
    let answer = "";
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0));
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${EXCHANGE_TIMEOUT_MS} ms; got ${JSON.stringify(answer)}`));
    }, EXCHANGE_TIMEOUT_MS);
    socket.on("data", (c: Buffer) => {
      answer += c.toString("latin1");
      const end = answer.indexOf("\r\n\r\n");
      if (end === -1) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(answer.slice(0, end));
      if (length && answer.length >= end + 4 + Number(length[1])) done();
      else if (
        /\r\ntransfer-encoding: *chunked/i.test(answer.slice(0, end)) &&
        answer.endsWith("\r\n0\r\n\r\n")
      )
        done();
    });
    socket.on("close", done);
    socket.on("error", () => {});
  });
}

/** A backend that records which requests started and which arrived whole. */
async function countingBackend(): Promise<{ backend: TestBackend; completed: string[] }> {
  const completed: string[] = [];
  const backend = await startBackend("counting", (req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      completed.push(`${req.url} ${body}`);
      res.end(`got ${body.length}`);
    });
  });
  return { backend, completed };
}

const answers = new Map<string, Map<string, number>>();
const record = (peer: string, name: string, status: number): void => {
  if (!answers.has(name)) answers.set(name, new Map());
  answers.get(name)?.set(peer, status);
};

for (const transport of TRANSPORTS)
  describe(`request smuggling and malformed framing (${transport})`, () => {
    let counting: Awaited<ReturnType<typeof countingBackend>>;
    let lb: RunningBalancer;
    before(async () => {
      counting = await countingBackend();
      lb = await startBalancer({
        config: testConfig([testUpstream("api", [counting.backend.url])], { transport }),
      });
    });
    after(async () => {
      await lb.close();
      await counting.backend.kill();
    });

    it("answers each case as RFC 9112 says; a refused request never reaches the backend whole", async () => {
      const got = [];
      for (const [i, c] of CASES.entries()) {
        const status = await exchange(lb.port, c.bytes(`/case-${i}`));
        record(`traceway (${transport})`, c.name, status);
        got.push([c.name, status]);
      }
      assert.deepEqual(
        got,
        CASES.map((c) => [c.name, c.status]),
      );

      const accepted = CASES.flatMap((c, i) => (c.status === 200 ? [`/case-${i} hello`] : []));
      assert.deepEqual(
        counting.completed,
        accepted,
        "only the valid requests arrived whole, with their body",
      );
      const mayHaveStarted = new Set(
        CASES.flatMap((c, i) => (c.status === 200 || c.inBody === true ? [`/case-${i}`] : [])),
      );
      const started = counting.backend.requests.map((r) => r.url ?? "");
      assert.deepEqual(
        started.filter((url) => !mayHaveStarted.has(url)),
        [],
        "no refused head reached the backend",
      );
    });

    it("a bad chunk after the head was forwarded: 400 to the client, the backend's request is cut", async () => {
      const { backend } = counting;
      const before = backend.requests.length;
      const socket = connect(lb.port, "127.0.0.1");
      let answer = "";
      socket.on("data", (c: Buffer) => (answer += c.toString()));
      const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
      const arrived = new Promise<import("node:http").IncomingMessage>((resolve) =>
        backend.server.once("request", resolve),
      );
      socket.write(
        "POST /streamed HTTP/1.1\r\nHost: lb.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
      );
      const upstream = await arrived;
      const cut = new Promise<boolean>((resolve) => upstream.once("close", () => resolve(upstream.complete)));
      socket.write("zz\r\nsmuggled\r\n0\r\n\r\n");
      await closed;
      assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(answer, /HPE_INVALID_CHUNK_SIZE/);
      assert.equal(await cut, false, "the backend's request ended incomplete");
      assert.equal(backend.requests.length, before + 1, "nothing after the bad chunk became a request");
      assert.ok(!counting.completed.some((line) => line.startsWith("/streamed")));
    });
  });

describe("the same bytes through nginx (peer, recorded for docs/proxying.md)", () => {
  let counting: Awaited<ReturnType<typeof countingBackend>>;
  let nginx: NginxPeer;
  before(async () => {
    counting = await countingBackend();
    nginx = await startNginx({ server: `    location / { proxy_pass ${counting.backend.url}; }` });
  });
  after(async () => {
    await nginx.stop();
    await counting.backend.kill();
  });

  it("answers every case, and the table of both is printed", async () => {
    for (const [i, c] of CASES.entries())
      record("nginx 1.22", c.name, await exchange(nginx.port, c.bytes(`/case-${i}`)));
    const peers = [...TRANSPORTS.map((t) => `traceway (${t})`), "nginx 1.22"];
    const rows = CASES.map(
      (c) => `| ${c.name} | ${peers.map((p) => answers.get(c.name)?.get(p) ?? "—").join(" | ")} |`,
    );
    console.log(
      [`| case | ${peers.join(" | ")} |`, `| --- | ${peers.map(() => "---:").join(" | ")} |`, ...rows].join(
        "\n",
      ),
    );
    assert.equal(answers.size, CASES.length);

    // docs/proxying.md#hardening shows the same answers, row for row.
    const page = await readFile(join(import.meta.dirname, "..", "..", "..", "docs", "proxying.md"), "utf8");
    const section = page.slice(page.indexOf("## Hardening"), page.indexOf("## Reload"));
    const documented = [...section.matchAll(/^\| .+? \| +(\d{3}) \| +(\d{3}) \|$/gm)].map(
      ([, ours, peer]) => [Number(ours), Number(peer)],
    );
    assert.deepEqual(
      documented,
      CASES.map((c) => [c.status, answers.get(c.name)?.get("nginx 1.22")]),
    );
  });
});
