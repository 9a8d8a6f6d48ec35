import assert from "node:assert/strict";
import { createServer, request, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { setForwardingHeaders } from "../../../src/proxy/forwarding-headers.ts";
import { TrustedProxies } from "../../../src/proxy/trusted-proxies.ts";

// Real requests from 127.0.0.1, so the peer address comes from a real socket; the headers are
// computed while that socket is open.
let trusted = new TrustedProxies([]);
let forwardedOn = false;
let result: [string, OutgoingHttpHeaders] | undefined;
const server = createServer((req: IncomingMessage, res) => {
  const out: OutgoingHttpHeaders = {};
  result = [setForwardingHeaders(req, out, trusted, forwardedOn), out];
  req.resume();
  res.end();
});
before(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)));
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function forward(
  headers: Record<string, string>,
  trust: readonly string[],
  withForwarded = false,
): Promise<[string, OutgoingHttpHeaders]> {
  trusted = new TrustedProxies(trust);
  forwardedOn = withForwarded;
  result = undefined;
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const req = request({ port, host: "127.0.0.1", path: "/", headers, agent: false }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
    req.end();
  });
  assert.ok(result);
  return result;
}

const spoofed = {
  host: "shop.example",
  "x-forwarded-for": "6.6.6.6",
  "x-real-ip": "6.6.6.6",
  "x-forwarded-proto": "https",
  "x-forwarded-host": "evil.example",
};

void test("an untrusted peer's X-Forwarded-* are replaced by what the balancer saw", async () => {
  const [clientIp, out] = await forward(spoofed, []);
  assert.equal(clientIp, "127.0.0.1");
  assert.deepEqual(out, {
    "x-forwarded-for": "127.0.0.1",
    "x-real-ip": "127.0.0.1",
    "x-forwarded-proto": "http",
    "x-forwarded-host": "shop.example",
  });
});

void test("a trusted peer's values are kept and the chain extended; X-Real-IP names the client", async () => {
  const [clientIp, out] = await forward(spoofed, ["127.0.0.1"]);
  assert.equal(clientIp, "6.6.6.6");
  assert.deepEqual(out, {
    "x-forwarded-for": "6.6.6.6, 127.0.0.1",
    "x-real-ip": "6.6.6.6",
    "x-forwarded-proto": "https",
    "x-forwarded-host": "evil.example",
  });
});

void test("without X-Real-IP the client is the rightmost untrusted hop (real_ip_recursive)", async () => {
  const proxies = ["127.0.0.1", "10.0.0.0/8"];
  const [clientIp] = await forward({ host: "h", "x-forwarded-for": "9.9.9.9, 10.0.0.7" }, proxies);
  assert.equal(clientIp, "9.9.9.9");
  const [firstHop] = await forward({ host: "h", "x-forwarded-for": "10.0.0.8, 10.0.0.7" }, proxies);
  assert.equal(firstHop, "10.0.0.8", "every hop trusted: the first");
});

void test("RFC 7239 Forwarded: an untrusted peer's is dropped, with or without server.forwarded", async () => {
  const spoofing = { host: "shop.example", forwarded: "for=6.6.6.6;proto=https" };
  const [, off] = await forward(spoofing, []);
  assert.equal(off["forwarded"], undefined);
  const [, on] = await forward(spoofing, [], true);
  assert.equal(on["forwarded"], "for=127.0.0.1;proto=http;host=shop.example");
});

void test("RFC 7239 Forwarded: a trusted peer's is kept, and server.forwarded appends this hop", async () => {
  const chain = { host: "shop.example:8443", forwarded: 'for="[2001:db8::7]";proto=https' };
  const [, off] = await forward(chain, ["127.0.0.1"]);
  assert.equal(off["forwarded"], 'for="[2001:db8::7]";proto=https');
  const [, on] = await forward(chain, ["127.0.0.1"], true);
  // A host with a port is not a token: RFC 7239 quotes it.
  assert.equal(
    on["forwarded"],
    'for="[2001:db8::7]";proto=https, for=127.0.0.1;proto=http;host="shop.example:8443"',
  );
});
