import assert from "node:assert/strict";
import diagnosticsChannel from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { after, describe, it } from "node:test";
import { DIAGNOSTICS_CHANNELS } from "../../../src/proxy/diagnostics.ts";
import { startBalancer } from "../../../src/server/balancer.ts";
import { closedPort, startBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

/** Every message a user's subscriber receives, by channel, with the request it belongs to. */
const seen: { channel: string; req: IncomingMessage; message: Record<string, unknown> }[] = [];
const listeners = Object.values(DIAGNOSTICS_CHANNELS).map((channel) => {
  const listener = (message: unknown): void => {
    const { req, ...rest } = message as { req: IncomingMessage } & Record<string, unknown>;
    seen.push({ channel, req, message: rest });
  };
  diagnosticsChannel.subscribe(channel, listener);
  return [channel, listener] as const;
});
after(() => {
  for (const [channel, listener] of listeners) diagnosticsChannel.unsubscribe(channel, listener);
});

/** The messages of the request whose path was `path`, in order, with `headers` left out. */
function eventsOf(path: string): [string, Record<string, unknown>][] {
  return seen
    .filter((e) => e.req.url === path)
    .map(({ channel, message }) => {
      const { headers: _headers, ...rest } = message;
      return [channel, rest];
    });
}

for (const transport of TRANSPORTS)
  describe(`diagnostics_channel events (${transport})`, () => {
    it("a subscriber sees each request's and each attempt's events once, with their fields", async () => {
      const dead = `127.0.0.1:${await closedPort()}`;
      const alive = await startBackend("alive");
      const base = testConfig(
        [testUpstream("api", [`http://${dead}`, alive.url]), testUpstream("empty", [])],
        { transport },
      );
      const config = {
        ...base,
        routes: [
          { match: { pathPrefix: "/none" }, upstream: "empty", preserveHost: true },
          { match: { pathPrefix: "/" }, upstream: "api", preserveHost: true },
        ],
      };
      const lb = await startBalancer({ config });
      const ok = `/retried-${transport}`;
      const refused = `/none-${transport}`;
      try {
        assert.equal((await httpGet(`${lb.url}${ok}`)).body, "alive");
        assert.equal((await httpGet(`${lb.url}${refused}`)).status, 503);
        await waitFor(() => eventsOf(ok).some(([c]) => c === DIAGNOSTICS_CHANNELS.requestEnd), {
          what: "the first request's end event",
        });
      } finally {
        await lb.close();
        await alive.kill();
      }
      const host = alive.url.slice("http://".length);
      assert.deepEqual(eventsOf(ok), [
        ["traceway:request:start", { method: "GET", route: "/*", upstream: "api" }],
        [
          "traceway:attempt:start",
          { upstream: "api", backend: dead, method: "GET", url: `http://${dead}${ok}`, resendCount: 0 },
        ],
        [
          "traceway:attempt:end",
          {
            upstream: "api",
            backend: dead,
            resendCount: 0,
            statusCode: undefined,
            errorType: "connect_error",
          },
        ],
        [
          "traceway:attempt:start",
          { upstream: "api", backend: host, method: "GET", url: `${alive.url}${ok}`, resendCount: 1 },
        ],
        [
          "traceway:attempt:end",
          { upstream: "api", backend: host, resendCount: 1, statusCode: 200, errorType: undefined },
        ],
        [
          "traceway:request:end",
          {
            upstream: "api",
            statusCode: 200,
            backend: host,
            retries: 1,
            errorCode: undefined,
            bytesIn: 0,
            bytesOut: 5,
          },
        ],
      ]);
      assert.deepEqual(eventsOf(refused), [
        ["traceway:request:start", { method: "GET", route: "/none*", upstream: "empty" }],
        [
          "traceway:request:error",
          { upstream: "empty", statusCode: 503, errorCode: "TRACEWAY_ERR_NO_HEALTHY_BACKEND" },
        ],
        [
          "traceway:request:end",
          {
            upstream: "empty",
            statusCode: 503,
            backend: undefined,
            retries: 0,
            errorCode: "TRACEWAY_ERR_NO_HEALTHY_BACKEND",
            bytesIn: 0,
            bytesOut: 0,
          },
        ],
      ]);
      const attemptHeaders = seen.find(
        (e) => e.req.url === ok && e.channel === DIAGNOSTICS_CHANNELS.attemptStart,
      )?.message["headers"] as Record<string, unknown> | undefined;
      assert.equal(attemptHeaders?.["x-forwarded-for"], "127.0.0.1", "the headers sent upstream");
    });
  });
