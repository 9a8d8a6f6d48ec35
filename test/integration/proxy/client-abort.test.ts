import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

/** Sends a request and destroys it as soon as the backend has it. */
function abortedRequest(url: string, backendHasIt: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false });
    req.on("error", () => resolve());
    req.on("close", () => resolve());
    req.end();
    void backendHasIt.then(() => req.destroy());
  });
}

for (const transport of TRANSPORTS)
  describe(`client abort (${transport})`, () => {
    it("cancels the upstream request: the backend sees its connection close", async () => {
      let arrived!: () => void;
      let upstreamClosed!: () => void;
      const arrival = new Promise<void>((r) => (arrived = r));
      const closed = new Promise<void>((r) => (upstreamClosed = r));
      const backend = await startBackend("slow", (req) => {
        req.socket.once("close", upstreamClosed);
        arrived();
      });
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], { transport }),
      });
      try {
        await abortedRequest(`${lb.url}/long-poll`, arrival);
        await closed;
        await waitFor(() => lb.upstreamSocketCount() === 0 && lb.activeRequests() === 0, {
          what: "balancer released the upstream socket",
          timeoutMs: 5000,
        });
      } finally {
        await lb.close();
        await backend.kill();
      }
    });

    it("leaks no sockets over 10k aborted requests", async () => {
      let pending: (() => void) | undefined;
      const backend = await startBackend("slow", () => pending?.());
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], { transport }),
      });
      try {
        const ABORTS = 10_000;
        for (let i = 0; i < ABORTS; i++) {
          const arrival = new Promise<void>((r) => (pending = r));
          await abortedRequest(`${lb.url}/`, arrival);
        }
        await waitFor(() => lb.activeRequests() === 0 && lb.upstreamSocketCount() === 0, {
          what: "all upstream sockets released after 10k aborts",
          timeoutMs: 10_000,
        });
        assert.equal(backend.requests.length, ABORTS);
      } finally {
        await lb.close();
        await backend.kill();
      }
    });
  });
