import assert from "node:assert/strict";
import { test } from "node:test";
import { ResponseParseError, ResponseParser } from "../../../src/load/response-parser.ts";

/** Feeds `text` split at every possible point (and byte by byte); each split must give the same result. */
function parseAllSplits(
  text: string,
  noBody = false,
): Array<{ status: number; bodyBytes: number; keepAlive: boolean }> {
  const bytes = Buffer.from(text, "latin1");
  const results = [];
  const splits = [
    ...Array.from({ length: bytes.length + 1 }, (_, i) => [i]),
    Array.from({ length: bytes.length }, (_, i) => i),
  ];
  for (const cuts of splits) {
    const parser = new ResponseParser();
    parser.reset(noBody);
    let step = "more";
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (cut > from) step = parser.execute(bytes.subarray(from, cut));
      from = Math.max(from, cut);
    }
    assert.equal(step, "done", `split at ${cuts.join(",")}`);
    results.push({ status: parser.status, bodyBytes: parser.bodyBytes, keepAlive: parser.keepAlive });
  }
  return results;
}

function parseOnce(text: string, noBody = false): ResponseParser {
  const parser = new ResponseParser();
  parser.reset(noBody);
  parser.execute(Buffer.from(text, "latin1"));
  return parser;
}

test("a content-length body is counted to its end, however the bytes arrive", () => {
  const results = parseAllSplits("HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\r\nhello");
  for (const r of results) assert.deepEqual(r, { status: 200, bodyBytes: 5, keepAlive: true });
});

test("a chunked body with extensions and trailers is de-chunked, however the bytes arrive", () => {
  const text =
    "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n" +
    "4;ext=1\r\nabcd\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (const r of parseAllSplits(text)) assert.deepEqual(r, { status: 201, bodyBytes: 14, keepAlive: true });
});

test("1xx interim responses are skipped and the final status is reported", () => {
  const text =
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
  for (const r of parseAllSplits(text)) assert.deepEqual(r, { status: 204, bodyBytes: 0, keepAlive: true });
});

test("204, 304 and responses to HEAD have no body whatever their headers say", () => {
  assert.equal(parseOnce("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n").status, 304);
  const head = new ResponseParser();
  head.reset(true);
  assert.equal(head.execute(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")), "done");
  assert.equal(head.bodyBytes, 0);
});

test("Connection: close and HTTP/1.0 end keep-alive; HTTP/1.0 keep-alive keeps it", () => {
  assert.equal(
    parseOnce("HTTP/1.1 200 OK\r\nconnection: Close\r\ncontent-length: 0\r\n\r\n").keepAlive,
    false,
  );
  assert.equal(parseOnce("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive, false);
  assert.equal(
    parseOnce("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keepAlive,
    true,
  );
});

test("a body without framing runs until the connection closes", () => {
  const parser = new ResponseParser();
  parser.reset(false);
  assert.equal(parser.execute(Buffer.from("HTTP/1.1 200 OK\r\n\r\nabc")), "more");
  assert.equal(parser.execute(Buffer.from("de")), "more");
  assert.equal(parser.end(), "done");
  assert.deepEqual([parser.bodyBytes, parser.keepAlive], [5, false]);
});

test("a response cut short by a close is an error, not a success", () => {
  const parser = new ResponseParser();
  parser.reset(false);
  parser.execute(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
  assert.throws(() => parser.end(), { message: "connection closed before the response ended" });
});

test("malformed responses are refused with the reason", () => {
  const cases: Array<[string, RegExp]> = [
    ["SSH-2.0-OpenSSH_9.2\r\n\r\n", /^bad status line "SSH-2.0-OpenSSH_9.2"$/],
    ["HTTP/2 200\r\n\r\n", /^bad status line/],
    ["HTTP/1.1 2x0 OK\r\n\r\n", /^bad status line/],
    [
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      /^conflicting content-length headers$/,
    ],
    ["HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", /^bad content-length "-1"$/],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", /^bad chunk size "zz"$/],
    ["HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab", /^1 unexpected bytes after the response$/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseOnce(text),
      (error: unknown) => error instanceof ResponseParseError && message.test(error.message),
      text,
    );
  }
});

test("an endless response head is refused once it passes 64 KiB", () => {
  const parser = new ResponseParser();
  parser.reset(false);
  parser.execute(Buffer.from("HTTP/1.1 200 OK\r\n"));
  const filler = Buffer.from(`X-Filler: ${"a".repeat(1000)}\r\n`);
  assert.throws(() => {
    for (let i = 0; i < 70; i++) parser.execute(filler);
  }, /response head larger than 65536 bytes/);
});

test("equal repeated content-length values are one length (RFC 9110 §8.6)", () => {
  assert.equal(parseOnce("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc").bodyBytes, 3);
});

test("in a reused read buffer, stale bytes past the read's end are never parsed", () => {
  const buffer = Buffer.alloc(256, 0);
  buffer.write("HTTP/1.1 200 OK\r\nContent-Le");
  buffer.write("\r\n\r\nHTTP/1.1 500 stale\r\n\r\n", 100); // left over from an earlier read
  const parser = new ResponseParser();
  parser.reset(false);
  assert.equal(parser.execute(buffer, 27), "more");
  buffer.fill(0).write("ngth: 2\r\n\r\nok");
  buffer.write("garbage after the read", 14);
  assert.equal(parser.execute(buffer, 13), "done");
  assert.deepEqual([parser.status, parser.bodyBytes], [200, 2]);
});
