import assert from "node:assert/strict";
import { test } from "node:test";
import { withoutHopByHop } from "../../../src/proxy/hop-by-hop.ts";

void test("drops the RFC 9110 hop-by-hop fields and keeps end-to-end ones", () => {
  assert.deepEqual(
    withoutHopByHop({
      connection: "keep-alive",
      "keep-alive": "timeout=5",
      "proxy-connection": "keep-alive",
      "proxy-authorization": "Basic x",
      te: "trailers",
      trailer: "x-sum",
      "transfer-encoding": "chunked",
      upgrade: "websocket",
      accept: "text/html",
      "set-cookie": ["a=1", "b=2"],
    }),
    { accept: "text/html", "set-cookie": ["a=1", "b=2"] },
  );
});

void test("also drops every field the Connection header names, whatever its case and spacing", () => {
  assert.deepEqual(
    withoutHopByHop({
      connection: "close, X-Secret ,x-trace",
      "x-secret": "s",
      "x-trace": "t",
      "x-keep": "k",
    }),
    { "x-keep": "k" },
  );
  assert.deepEqual(withoutHopByHop({ connection: "X-Only", "x-only": "1", host: "h" }), { host: "h" });
});

void test("keepUpgrade keeps what a WebSocket handshake needs", () => {
  assert.deepEqual(
    withoutHopByHop({ connection: "Upgrade", upgrade: "websocket", "keep-alive": "5" }, true),
    {
      connection: "Upgrade",
      upgrade: "websocket",
    },
  );
});
