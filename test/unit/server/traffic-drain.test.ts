import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import pino from "pino";
import { BackendAgents } from "../../../src/proxy/transports/agents.ts";
import { TrustedProxies } from "../../../src/proxy/trusted-proxies.ts";
import { WebSocketProxy } from "../../../src/proxy/websocket-proxy.ts";
import { Router } from "../../../src/server/router.ts";
import { Traffic, type Generation } from "../../../src/server/traffic.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { incoming } from "../proxy/upstream-fixture.ts";

const logger = pino({ level: "silent" });

/** A generation whose route matches everything; HTTP forwarding and dispatches are never reached here. */
function generation(): Generation {
  const config = testConfig([testUpstream("api", ["http://127.0.0.1:7001"])]);
  return {
    config,
    router: new Router(config.routes),
    upstreams: new Map(),
    forwarder: undefined as never,
    dispatcher: undefined as never,
    websockets: new WebSocketProxy({ agents: new BackendAgents(), trusted: new TrustedProxies([]), logger }),
  } satisfies Generation;
}

/** What the traffic handler wrote on the upgrade's socket; the socket must be ended after it. */
function upgradeAnswer(traffic: Traffic): string {
  const socket = new PassThrough();
  const req = incoming("GET", "/chat", { host: "lb.test", connection: "Upgrade", upgrade: "websocket" });
  traffic.upgrade(req, socket, Buffer.alloc(0));
  assert.equal(socket.writableEnded, true, "the socket is closed after the answer");
  return String(socket.read());
}

void test("an upgrade that arrives while draining gets 503 TRACEWAY_ERR_SHUTTING_DOWN and a closed connection", async () => {
  const traffic = new Traffic(generation(), logger);
  await traffic.drain(1000);
  const answer = upgradeAnswer(traffic);
  const [head = "", body = ""] = answer.split("\r\n\r\n");
  assert.equal(head.split("\r\n")[0], "HTTP/1.1 503 Service Unavailable");
  assert.match(head, /\r\nconnection: close$/);
  assert.deepEqual(JSON.parse(body), {
    error: { code: "TRACEWAY_ERR_SHUTTING_DOWN", message: "shutting down" },
  });
});

void test("before draining, the same upgrade is routed (here: to an upstream that is not configured)", () => {
  const traffic = new Traffic(generation(), logger);
  const answer = upgradeAnswer(traffic);
  assert.equal(answer.split("\r\n")[0], "HTTP/1.1 404 Not Found");
  assert.match(answer, /"code":"TRACEWAY_ERR_NO_ROUTE"/);
});
